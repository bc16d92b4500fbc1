import { ENVIRONMENTS, synthEnvironments } from './charts/environments';
import { TlsStackError } from './lib';

// Builds and checks every environment, then writes <outdir>/<env>/ (nothing is written if anything is wrong). `cdk8s
// synth` (npm run synth) runs this with CDK8S_OUTDIR set to cdk8s.yaml's `output`.
try {
  synthEnvironments(ENVIRONMENTS, process.env.CDK8S_OUTDIR ?? 'dist');
} catch (e) {
  if (!(e instanceof TlsStackError)) throw e;
  process.stderr.write(`${e.message}\n`);
  process.exitCode = 1;
}
