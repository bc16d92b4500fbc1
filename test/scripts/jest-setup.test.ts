import * as fs from 'fs';
import * as path from 'path';

// scripts/jest-setup.js gives the tests under jest-light-runner jest's time limits and test.concurrent: without them
// a test that never ends would hang the run, and the tests that wait on time limits would wait one after another.
const circus = require(require.resolve('jest-circus', { paths: [path.dirname(require.resolve('jest-light-runner'))] }));
const { willRun } = require('../../scripts/jest-setup');

jest.setTimeout(300); // this file's tests are quick; the hung ones below stop at it

/** A test of this file by name, as registered (skipped: only the tests below call their functions). */
const registered = (name: string) => {
  const found = circus.getState().rootDescribeBlock.children.find((c: { name: string }) => c.name === name);
  if (!found) throw new Error(`no test named ${name}`);
  return found as { fn: () => Promise<unknown> };
};
test.skip('hangs, with a time limit of its own', () => new Promise(() => {}), 50);
test.skip('hangs, with the time limit of the file', () => new Promise(() => {}));
test.skip('fails an expectation', () => {
  expect(1).toBe(2); // the line the failure shows
});
test.skip('takes jest\'s done callback', (done) => { setTimeout(() => done(new Error('done with an error')), 1); });

test('a test that never ends fails at its time limit: its own, else the one jest.setTimeout gave the file', async () => {
  const started = Date.now();
  await expect(registered('hangs, with a time limit of its own').fn()).rejects.toThrow(/^Exceeded timeout of 50 ms for a test/);
  expect(Date.now() - started).toBeLessThan(250);
  await expect(registered('hangs, with the time limit of the file').fn()).rejects.toThrow(/^Exceeded timeout of 300 ms for a test/);
  await expect(registered('takes jest\'s done callback').fn()).rejects.toThrow('done with an error');
}, 2000);

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
  const root = block('ROOT_DESCRIBE_BLOCK');
  const inner = block('verify', undefined, root);
  const entry = (mode?: string, parent: object = inner) => ({ name: 'names the fault', mode, parent });
  const state = (hasFocusedTests = false) => ({ hasFocusedTests, maxConcurrency: 5 });
  expect(willRun(entry(), state())).toBe(true);
  expect(willRun(entry('skip'), state())).toBe(false);
  expect(willRun(entry(undefined, block('skipped', 'skip', root)), state())).toBe(false);
  expect(willRun(entry(), state(true))).toBe(false);
  expect(willRun(entry('only'), state(true))).toBe(true);
  expect(willRun(entry(), state(), /verify names/i)).toBe(true); // -t matches the full name, the root block's left out
  expect(willRun(entry(), state(), /^names/i)).toBe(false);
});

test('a failure shows the lines of the test where it failed and a stack in the repository\'s terms, as jest does', async () => {
  const error: Error = await registered('fails an expectation').fn().then(() => { throw new Error('passed'); }, (e) => e);
  const line = fs.readFileSync(__filename, 'utf8').split('\n').findIndex((l) => l.includes('// the line the failure shows')) + 1;
  // eslint-disable-next-line no-control-regex
  const plain = error.stack!.replace(/\u001b\[[0-9;]*m/g, '');
  expect(plain).toMatch(/Expected: 2\s+Received: 1/);
  expect(plain).toMatch(new RegExp(`^\\s*> ${line} \\|\\s+expect\\(1\\)\\.toBe\\(2\\);`, 'm'));
  expect(plain).toMatch(new RegExp(`at test/scripts/jest-setup\\.test\\.ts:${line}:\\d+`));
  expect(plain).not.toMatch(/jest-setup\.js|tinypool/);
});
