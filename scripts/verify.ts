// npm run verify -- [--env prod | --url https://host ...] [options]: `cdk8s-tls verify` plus --env, which probes every
// public host of one of this repository's environments (charts/environments.ts). See `npm run verify -- --help`.
import { ENVIRONMENTS, buildEnvironment } from '../charts/environments';
import { UsageError } from '../lib/cli';
import { VerifyEnvironments, expectationsFromApp, verifyCommand } from '../lib/verify';

const names = ENVIRONMENTS.map((e) => e.name);
const environments: VerifyEnvironments = {
  command: 'npm run verify --',
  names,
  expectations(name) {
    const env = ENVIRONMENTS.find((e) => e.name === name);
    if (!env) throw new UsageError(`--env ${name}: no such environment (${names.join(', ')})`);
    return expectationsFromApp(buildEnvironment(env, '/dev/null'));
  },
};

// As cdk8s-tls does (lib/cli.ts main): a bad command line is one line on stderr, exit 2.
verifyCommand(process.argv.slice(2), process, environments).then((code) => { process.exitCode = code; }, (e: Error) => {
  process.stderr.write(`npm run verify: ${e.message}${e instanceof UsageError ? ' (see npm run verify -- --help)' : ''}\n`);
  process.exitCode = 2;
});
