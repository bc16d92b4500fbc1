// jest's globalSetup and globalTeardown (package.json): the tests' temporary files go to one folder per run, removed
// when the run ends. cdk8s's Testing.app() makes a folder in os.tmpdir() for every App and never removes it; with the
// tests' own servers, fixtures and outdirs, a run left ~480 folders in /tmp. Workers and the processes the tests start
// inherit TMPDIR, which os.tmpdir() reads.
const fs = require('fs');
const os = require('os');
const path = require('path');

const KEY = 'CDK8S_TLS_TESTS_TMPDIR';

module.exports = async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-secure-tls-tests-'));
  process.env[KEY] = dir;
  process.env.TMPDIR = dir;
};

module.exports.teardown = async function teardown() {
  const dir = process.env[KEY];
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
};
