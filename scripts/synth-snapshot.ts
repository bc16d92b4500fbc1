// The startup snapshot `npm run synth` starts from (scripts/synth.sh, made by scripts/build-snapshot.js): this file runs
// once when the snapshot is made, and synthesizes every environment into a temporary folder, so that the snapshot holds
// cdk8s, the constructs, every validator the shipped stack needs and the planned CEL rules, loaded and compiled. Each
// run from it then calls main(), which runs main.ts (process.argv[1] as when it runs directly): every document is built,
// checked and written again.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ENVIRONMENTS, synthEnvironments } from '../charts/environments';

const warm = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-snapshot-'));
try {
  synthEnvironments(ENVIRONMENTS, warm);
} catch {
  // An environment main.ts cannot build now (an edit under way): the snapshot holds what ran, and main.ts reports it.
} finally {
  fs.rmSync(warm, { recursive: true, force: true });
}

/**
 * Variables read each time they are needed, never kept, so that a run from the snapshot may set them
 * (scripts/snapshot-start.js refuses it any other the synth read): cdk8s's, in node_modules/cdk8s/lib — app.js (each
 * `new App`: `cdk8s synth` sets CDK8S_RECORD_CONSTRUCT_METADATA), api-object.js (each `toJson`), names.js (each name).
 */
export const readEachTime = ['CDK8S_RECORD_CONSTRUCT_METADATA', 'CDK8S_DISABLE_SORT', 'CDK8S_LEGACY_HASH'];

/** main.ts synthesizes synchronously: the run ends when it returns (scripts/snapshot-start.js exitIfIdle). */
export const exitWhenDone = true;

export function main(): void {
  process.argv[1] = path.join(__dirname, '..', 'main.ts');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('../main');
}
