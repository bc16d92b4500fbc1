import { spawnSync } from 'child_process';

/**
 * Whether a real tool (or a capability of the machine) that some tests run against is there. Missing in CI (`CI` set),
 * it fails the test file at once: a test that needs it must never skip silently there, and `.ci/run` installs every
 * such tool. Missing on a developer's machine, those tests are skipped (jest lists them as skipped).
 */
export function available(what: string, present: boolean, install: string): boolean {
  if (!present && process.env.CI) throw new Error(`${what} is missing, and the tests that need it cannot run in CI: ${install}`);
  return present;
}

/** Whether `command args` runs and exits 0. */
export const runs = (command: string, ...args: string[]): boolean => spawnSync(command, args, { stdio: 'ignore' }).status === 0;
