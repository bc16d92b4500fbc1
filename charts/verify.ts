// npm run verify -- [--env prod | --url https://host ...] [options]: `cdk8s-tls verify` plus --env, which probes every
// public host of one of this repository's environments (charts/environments.ts). See `npm run verify -- --help`.
import { UsageError } from '../lib/cli/args';
import { VerifyEnvironments, verifyCommand } from '../lib/cli/verify';
import { expectationsFromApp } from '../lib/verify';

// The environments (and with them cdk8s and the constructs) are loaded only for --env and --help: a --url run
// starts with the verifier alone.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the environments load cdk8s and the constructs: --env only
const charts = (): typeof import('./environments') => require('./environments');
const environments: VerifyEnvironments = {
  command: 'npm run verify --',
  get names() {
    return charts().ENVIRONMENTS.map((e) => e.name);
  },
  expectations(name) {
    const env = charts().ENVIRONMENTS.find((e) => e.name === name);
    if (!env) throw new UsageError(`--env ${name}: no such environment (${this.names.join(', ')})`);
    return expectationsFromApp(charts().buildEnvironment(env, '/dev/null'));
  },
};

// As cdk8s-tls does (lib/cli/index.ts main): a bad command line is one line on stderr, exit 2.
verifyCommand(process.argv.slice(2), process, environments).then((code) => { process.exitCode = code; }, (e: Error) => {
  process.stderr.write(`npm run verify: ${e.message}${e instanceof UsageError ? ' (see npm run verify -- --help)' : ''}\n`);
  process.exitCode = 2;
});
