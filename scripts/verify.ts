// npm run verify -- [--env prod | --url https://host ...] [options]: `cdk8s-tls verify` plus --env, which probes every
// public host of one of this repository's environments (charts/environments.ts). See `npm run verify -- --help`.
import { ENVIRONMENTS, buildEnvironment } from '../charts/environments';
import { UsageError, main } from '../lib/cli';
import { expectationsFromApp, verifyCommand } from '../lib/verify';

const environments = (name: string) => {
  const env = ENVIRONMENTS.find((e) => e.name === name);
  if (!env) throw new UsageError(`--env ${name}: no such environment (${ENVIRONMENTS.map((e) => e.name).join(', ')})`);
  return expectationsFromApp(buildEnvironment(env, '/dev/null'));
};

main(['verify', ...process.argv.slice(2)], process, {
  verify: { summary: '', help: '', run: (args, io) => verifyCommand(args, io, environments) },
}).then((code) => { process.exitCode = code; });
