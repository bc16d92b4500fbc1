import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// scripts/jest-setup.js gives the tests under jest-light-runner what jest-circus does around a test's function:
// without it a test that never ends would hang the run, a missing assertion or a test.failing that passes would pass,
// the tests that wait on time limits would wait one after another, and `-u -t NAME` deleted other tests' snapshots.
const root = path.join(__dirname, '..', '..');
const { circus, willRun } = require('../../scripts/jest-setup'); // the jest-circus the runner registers tests with

jest.setTimeout(300); // this file's tests are quick; the hung ones below stop at it

/** A test of this file by name, as registered (skipped: only the tests below call their functions). */
const registered = (name: string) => {
  const found = circus.getState().rootDescribeBlock.children.find((c: { name: string }) => c.name === name);
  if (!found) throw new Error(`no test named ${name}`);
  return found as { fn: () => Promise<unknown> };
};
/** What the registered test's function was rejected with (expect's counts set to zero first, as its beforeEach would). */
const failure = (name: string): Promise<Error> => {
  expect.setState({ assertionCalls: 0, expectedAssertionsNumber: null, isExpectingAssertions: false });
  return registered(name).fn().then(() => { throw new Error(`${name} passed`); }, (e) => e);
};
test.skip('hangs, with a time limit of its own', () => new Promise(() => {}), 50);
test.skip('hangs, with the time limit of the file', () => new Promise(() => {}));
test.skip('hangs, with fake timers', () => {
  jest.useFakeTimers();
  return new Promise(() => {});
}, 50);
test.skip('fails an expectation', () => {
  expect(1).toBe(2); // the line the failure shows
});
test.skip('takes jest\'s done callback', (done) => { setTimeout(() => done(new Error('done with an error')), 1); });
test.skip('takes done and returns a promise', (done) => Promise.resolve(done()) as unknown as void);
test.skip('throws a string', () => { throw 'not an Error'; }); // eslint-disable-line no-throw-literal
test.skip('throws an Error without a stack', () => { throw Object.create(Error.prototype); });
test.skip('makes fewer assertions than it expects', () => {
  expect.assertions(2);
  expect(1).toBe(1);
});
test.skip('makes no assertion, yet expects one', () => { expect.hasAssertions(); });
test.skip.failing('fails, as it should', () => { expect(1).toBe(2); });
test.skip.failing('passes, though it should fail', () => { expect(1).toBe(1); });

test('a test that never ends fails at its time limit: its own, else the file\'s (jest.setTimeout), also with fake timers', async () => {
  const started = Date.now();
  expect((await failure('hangs, with a time limit of its own')).message).toMatch(/^Exceeded timeout of 50 ms for a test/);
  expect(Date.now() - started).toBeLessThan(250);
  expect((await failure('hangs, with the time limit of the file')).message).toMatch(/^Exceeded timeout of 300 ms for a test/);
  try {
    expect((await failure('hangs, with fake timers')).message).toMatch(/^Exceeded timeout of 50 ms for a test/);
  } finally {
    jest.useRealTimers();
  }
}, 2000);

test('jest-circus\'s checks: done, expect.assertions and hasAssertions, test.failing; a thrown string is an Error', async () => {
  expect((await failure('takes jest\'s done callback')).message).toBe('done with an error');
  expect((await failure('takes done and returns a promise')).message).toMatch(/^Test functions cannot both take a 'done' callback and return something/);
  expect((await failure('throws a string')).message).toBe("thrown: 'not an Error'");
  expect((await failure('throws an Error without a stack')).message).toMatch(/^thrown: /); // the runner prints a stack
  expect((await failure('makes fewer assertions than it expects')).message).toMatch(/Expected two assertions to be called but received one assertion call/);
  expect((await failure('makes no assertion, yet expects one')).message).toMatch(/Expected at least one assertion to be called but received none/);
  await expect(registered('fails, as it should').fn()).resolves.toBeUndefined();
  expect((await failure('passes, though it should fail')).message).toMatch(/^Failing test passed even though it was supposed to fail/);
});

const spans: Array<[number, number]> = [];
for (let i = 0; i < 7; i++) {
  test.concurrent(`concurrent ${i}`, async () => {
    const start = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 60));
    spans.push([start, Date.now()]);
  });
}
test('a describe block\'s concurrent tests run together, at most 5 at a time (jest\'s maxConcurrency)', () => {
  expect(spans).toHaveLength(7);
  const atOnce = (t: number) => spans.filter(([s, e]) => s <= t && t < e).length;
  const most = Math.max(...spans.map(([s]) => atOnce(s)));
  expect(most).toBe(5);
  // seven of 60 ms each, five at a time: two rounds, not seven
  expect(Math.max(...spans.map(([, e]) => e)) - Math.min(...spans.map(([s]) => s))).toBeLessThan(250);
});

test('a concurrent test is started only if it will run: not skipped, focused when any test is, matching -t', () => {
  const block = (name: string, mode?: string, parent?: object) => ({ name, mode, parent });
  const top = block('ROOT_DESCRIBE_BLOCK');
  const inner = block('verify', undefined, top);
  const entry = (mode?: string, parent: object = inner) => ({ name: 'names the fault', mode, parent });
  const state = (hasFocusedTests = false) => ({ hasFocusedTests, maxConcurrency: 5 });
  expect(willRun(entry(), state())).toBe(true);
  expect(willRun(entry('skip'), state())).toBe(false);
  expect(willRun(entry(undefined, block('skipped', 'skip', top)), state())).toBe(false);
  expect(willRun(entry(), state(true))).toBe(false);
  expect(willRun(entry('only'), state(true))).toBe(true);
  expect(willRun(entry(), state(), /verify names/i)).toBe(true); // -t matches the full name, the root block's left out
  expect(willRun(entry(), state(), /^names/i)).toBe(false);
});

test('a failure shows the lines of the test where it failed and a stack in the repository\'s terms, as jest does', async () => {
  const error = await failure('fails an expectation');
  const line = fs.readFileSync(__filename, 'utf8').split('\n').findIndex((l) => l.includes('// the line the failure shows')) + 1;
  // eslint-disable-next-line no-control-regex
  const plain = error.stack!.replace(/\u001b\[[0-9;]*m/g, '');
  expect(plain).toMatch(/Expected: 2\s+Received: 1/);
  expect(plain).toMatch(new RegExp(`^\\s*> ${line} \\|\\s+expect\\(1\\)\\.toBe\\(2\\);`, 'm'));
  expect(plain).toMatch(new RegExp(`at test/scripts/jest-setup\\.test\\.ts:${line}:\\d+`));
  expect(plain).not.toMatch(/jest-setup\.js|tinypool/);
});

test('snapshots by full name: -u -t keeps those of the tests left out, a concurrent test\'s are its own; an error thrown outside any test fails the file', () => {
  // A run of its own (this file's run cannot be rerun with -u): jest with this repository's configuration.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-setup-'));
  try {
    const config = { ...JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).jest, rootDir: dir, roots: ['<rootDir>'] };
    for (const k of ['runner', 'globalSetup', 'globalTeardown']) config[k] = config[k].replace('<rootDir>', root);
    config.setupFilesAfterEnv = config.setupFilesAfterEnv.map((f: string) => f.replace('<rootDir>', root));
    config.runner = require.resolve(config.runner);
    fs.writeFileSync(path.join(dir, 'jest.config.json'), JSON.stringify(config));
    fs.writeFileSync(path.join(dir, 'snap.test.ts'), [
      "describe('d', () => {",
      "  test('a', () => expect('A').toMatchSnapshot());",
      "  test.concurrent('c1', async () => { await new Promise((r) => setTimeout(r, 20)); expect('C1').toMatchSnapshot(); });",
      "  test.concurrent('c2', async () => expect('C2').toMatchSnapshot());",
      '});',
      "describe('e', () => { test('x', () => expect('X').toMatchSnapshot()); });",
      "test('late', () => { setTimeout(() => { throw new Error('thrown by a timer'); }, 1); });",
      "test('late rejection', () => { Promise.reject(new Error('nobody awaited this')); });",
      "describe('h', () => { beforeEach(() => { expect.hasAssertions(); }); test('asserts nothing', () => {}); });",
      "test('after', () => new Promise((r) => setTimeout(r, 30)));",
    ].join('\n'));
    const snap = path.join(dir, '__snapshots__', 'snap.test.ts.snap');
    fs.mkdirSync(path.dirname(snap));
    const snapshots = `// Jest Snapshot v1, https://jestjs.io/docs/snapshot-testing\n\n${['d a 1', 'd c1 1', 'd c2 1', 'e x 1'].map((k) => `exports[\`${k}\`] = \`"${k.split(' ')[1].toUpperCase()}"\`;\n`).join('\n')}`;
    fs.writeFileSync(snap, snapshots);
    const jest = (...args: string[]) => spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--config', path.join(dir, 'jest.config.json'), ...args], { cwd: dir, encoding: 'utf8' });
    // -u with the tests of `e` left out, and a file that fails (errors outside any test; an assertion a beforeEach
    // expected); in jest's own
    // thread (-i: a third less CPU than two workers, and the configuration comes from scripts/jest-global.js there).
    const run = jest('-u', '-t', '^(d |late|after|h )', '-i');
    expect(fs.readFileSync(snap, 'utf8')).toBe(snapshots); // nothing removed, written or renamed
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/\(afterAll\)\n +2 errors thrown outside any test:[\s\S]*thrown by a timer[\s\S]*nobody awaited this/);
    expect(run.stderr).toMatch(/h > asserts nothing\n +expect.hasAssertions\(\)\s+Expected at least one assertion to be called but received none/);
    expect(run.stderr).toMatch(/Tests: +2 failed, 1 skipped, 6 passed, 9 total/);
    expect(run.stderr).toMatch(/Snapshots: +3 passed, 3 total/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);
