import { startupSnapshot } from 'v8';

/**
 * Runs `reset` before a V8 startup snapshot of this process is written (scripts/build-snapshot.js, which
 * `npm run synth` starts from): for state a snapshot cannot hold (a native handle) or must not carry into later runs
 * (remembered check results: a synth from a snapshot checks every document itself). Does nothing in any other process.
 */
export function beforeSnapshot(reset: () => void): void {
  if (startupSnapshot?.isBuildingSnapshot()) startupSnapshot.addSerializeCallback(reset);
}
