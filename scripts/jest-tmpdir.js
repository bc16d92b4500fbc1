// jest's globalSetup and globalTeardown (package.json): the tests' temporary files go to one folder per run, removed
// when the run ends. cdk8s's Testing.app() makes a folder in os.tmpdir() for every App and never removes it; with the
// tests' own servers, fixtures and outdirs, a run left ~480 folders in /tmp. Workers and the processes the tests start
// inherit TMPDIR, which os.tmpdir() reads.
const fs = require('fs');
const os = require('os');
const path = require('path');

// jest runs both once per run, and `jest --watch` (or runCLI) several runs in one process: teardown puts TMPDIR back
// as it was (kept in the environment, not in this module: jest may load the two files apart), so the next run's
// folder is made where the first one was.
const KEY = 'CDK8S_TLS_TESTS_TMPDIR';
const ORIGINAL = 'CDK8S_TLS_TESTS_TMPDIR_ORIGINAL'; // '-' when TMPDIR was not set

module.exports = async function setup() {
  process.env[ORIGINAL] = process.env.TMPDIR === undefined ? '-' : `=${process.env.TMPDIR}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-secure-tls-tests-'));
  process.env[KEY] = dir;
  process.env.TMPDIR = dir;
};

module.exports.teardown = async function teardown() {
  const dir = process.env[KEY];
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  const original = process.env[ORIGINAL];
  if (original === '-') delete process.env.TMPDIR;
  else if (original !== undefined) process.env.TMPDIR = original.slice(1);
  delete process.env[KEY];
  delete process.env[ORIGINAL];
};
