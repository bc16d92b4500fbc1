import { ENVIRONMENTS, synthEnvironments } from './charts/environments';
import { TlsStackError } from './lib';

// Builds and checks every environment, then writes dist/<env>/ (nothing is written if anything is wrong). Synchronous:
// a run of `npm run synth` ends when this returns (exitWhenDone in scripts/synth-snapshot.ts).
try {
  synthEnvironments(ENVIRONMENTS);
} catch (e) {
  if (!(e instanceof TlsStackError)) throw e;
  process.stderr.write(`${e.message}\n`);
  process.exitCode = 1;
}
