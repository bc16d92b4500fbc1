// jest's globalSetup and globalTeardown (package.json), run in jest's own process before and after the tests:
// - The tests' temporary files go to one folder per run, removed when the run ends. cdk8s's Testing.app() makes a
//   folder in os.tmpdir() for every App and never removes it; with the tests' own servers, fixtures and outdirs, a run
//   left ~480 folders in /tmp. Workers and the processes the tests start inherit TMPDIR, which os.tmpdir() reads.
// - No colours when the output is no terminal: jest-light-runner hands its workers the terminal's colour support as
//   FORCE_COLOR, which is the string "undefined" — colours on — then, and a CI log would be full of escape codes.
// - The run's configuration for scripts/jest-setup.js when the tests run in this thread (--runInBand; a worker gets
//   it from the runner), and, then, the errors it saw thrown after the last test file had ended: they fail the run.
const fs = require('fs');
const os = require('os');
const path = require('path');

// jest runs both once per run, and `jest --watch` (or runCLI) several runs in one process: teardown puts the
// variables back as they were (kept in the environment, not in this module: jest may load the two files apart), so
// the next run's folder is made where the first one was.
const DIR = 'CDK8S_TLS_TESTS_TMPDIR';
const ORIGINAL = 'CDK8S_TLS_TESTS_ENV_ORIGINAL'; // JSON: each variable changed, with its value before (null: unset)

module.exports = async function setup(globalConfig) {
  globalThis[Symbol.for('cdk8s-secure-tls.jest.globalConfig')] = globalConfig;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-secure-tls-tests-'));
  const changes = { TMPDIR: dir, ...(process.stdout.isTTY || process.env.FORCE_COLOR !== undefined ? {} : { FORCE_COLOR: '0' }) };
  process.env[ORIGINAL] = JSON.stringify(Object.fromEntries(Object.keys(changes).map((k) => [k, process.env[k] ?? null])));
  process.env[DIR] = dir;
  Object.assign(process.env, changes);
};

module.exports.teardown = async function teardown() {
  const dir = process.env[DIR];
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  for (const [k, v] of Object.entries(JSON.parse(process.env[ORIGINAL] ?? '{}'))) {
    if (v === null) delete process.env[k];
    else process.env[k] = v;
  }
  delete process.env[DIR];
  delete process.env[ORIGINAL];
  // In jest's own thread (--runInBand): what scripts/jest-setup.js saw thrown after the last test file had ended fails
  // the run, and what is thrown after this ends jest as it would without that setup.
  const outside = globalThis[Symbol.for('cdk8s-secure-tls.jest.outside')];
  if (outside) for (const event of ['uncaughtException', 'unhandledRejection']) process.removeListener(event, outside);
  const stray = globalThis[Symbol.for('cdk8s-secure-tls.jest.stray')]?.splice(0) ?? [];
  if (stray.length) throw new Error(`thrown outside any test, after the last test file had ended:\n\n${stray.map((e) => e.stack).join('\n\n')}`);
};
