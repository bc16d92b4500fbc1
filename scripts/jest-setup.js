// jest's setupFilesAfterEnv under jest-light-runner (package.json). That runner runs the test files in plain Node worker
// threads, which load cdk8s, cdk8s-plus-27 and the validators once per worker instead of once per file (jest's own
// runner gives every file its own modules): about a third of the tests' CPU. It runs each test's function as it is,
// so what jest-circus does around that is added here, as jest-circus does it: time limits and jest.setTimeout;
// test.concurrent; the checks of expect.assertions and hasAssertions, of `done` and of test.failing; errors thrown
// outside any test; snapshots of tests that did not run or failed kept (the runner names them without their describe
// blocks); failures shown with the lines where they failed. Not here: beforeEach/afterEach are not left out for a
// concurrent test (jest 30 leaves them out), assertions in an afterEach do not count for expect.assertions, and
// --randomize is ignored. Tested in test/scripts/jest-setup.test.ts.
const path = require('path');
const { AsyncLocalStorage } = require('async_hooks');
const { setImmediate, setTimeout, clearTimeout } = require('timers'); // the real ones: jest.useFakeTimers() replaces the globals
const util = require('util');

// TypeScript through scripts/ts-loader.js (the commands' loader), with source maps on, so a failure names the line of
// the .ts file; the runner's import() of a .ts file is handed to that CommonJS loader (scripts/jest-esm-ts.mjs).
process.setSourceMapsEnabled(true);
require('./ts-loader');
require('module').register('./jest-esm-ts.mjs', require('url').pathToFileURL(__filename));

// The jest-circus the runner registers tests with (its own dependency).
const circus = require(require.resolve('jest-circus', { paths: [path.dirname(require.resolve('jest-light-runner'))] }));
const { formatStackTrace, separateMessageFromStack } = require('jest-message-util');
const ROOT = path.join(__dirname, '..');
const { testNamePattern, testTimeout } = runConfig();

/** Per test file (a worker runs several, one after another). */
const files = new Map();
// Thrown after a file ended, before the next one began: reported with the next, or (after the last file in jest's own
// thread, --runInBand) by scripts/jest-global.js's teardown.
const STRAY = Symbol.for('cdk8s-secure-tls.jest.stray');
globalThis[STRAY] = [];
function file(testPath = expect.getState().testPath) {
  if (!files.has(testPath)) {
    files.set(testPath, { timeout: undefined, tests: [], passed: new Set(), outside: globalThis[STRAY], ended: false, last: undefined, first: undefined });
    globalThis[STRAY] = [];
  }
  return files.get(testPath);
}
jest.setTimeout = (ms) => {
  file().timeout = ms;
  return jest;
};

// A concurrent test's snapshots are named after it, not after the test whose turn it is (jest-circus does the same).
const concurrentName = new AsyncLocalStorage();
expect.setState({ currentConcurrentTestName: () => concurrentName.getStore() });

// An error thrown outside any test (a timer left running, a promise nobody awaited) fails the file running when it is
// thrown — its code frame names where — reported at the file's end (in a worker thread it would end the worker and lose
// the file's results); one thrown between two files fails the next, naming the one that had ended; in jest's own
// thread, one after the last file fails the run (scripts/jest-global.js). One after a worker's last file is not seen.
function outside(thrown) {
  const error = asError(thrown);
  const current = file();
  if (!current.ended) return current.outside.push(error);
  const after = `thrown after ${path.relative(ROOT, expect.getState().testPath)} had ended: `;
  globalThis[STRAY].push(Object.assign(new Error(`${after}${error.message}`), { stack: `${after}${error.stack}` }));
}
process.on('uncaughtException', outside);
process.on('unhandledRejection', outside);
globalThis[Symbol.for('cdk8s-secure-tls.jest.outside')] = outside; // for the teardown to remove, in jest's own thread

// Each test and hook is wrapped as it is registered.
const concurrent = new WeakMap(); // describe block → its concurrent tests
circus.addEventHandler((event, state) => {
  if (event.name !== 'add_test' && event.name !== 'add_hook') return;
  const block = state.currentDescribeBlock;
  const entry = event.name === 'add_test' ? block.children.at(-1) : block.hooks.at(-1);
  if (!entry || entry.fn !== event.fn) return; // not registered (circus recorded an error)
  const testPath = expect.getState().testPath;
  const owner = file(testPath);
  keepHooks(owner, state.rootDescribeBlock);
  if (entry.type !== 'test') {
    entry.fn = () => execute(entry, event.fn, owner, testPath);
    return;
  }
  owner.tests.push(entry);
  if (entry.mode === 'todo') entry.mode = 'skip'; // reported as skipped, not as passed
  if (!entry.concurrent) {
    entry.fn = () => execute(entry, event.fn, owner, testPath);
    return;
  }
  if (!concurrent.has(block)) concurrent.set(block, []);
  const item = { entry, run: () => concurrentName.run(fullName(entry), () => execute(entry, event.fn, owner, testPath)), promise: undefined };
  concurrent.get(block).push(item);
  entry.fn = () => {
    startConcurrently(concurrent.get(block), state);
    return item.promise;
  };
});

/** A test or hook: its function within its time limit, then jest-circus's checks of it. */
async function execute(entry, fn, owner, testPath) {
  const isTest = entry.type === 'test';
  try {
    // Read when it runs, as jest does: jest.setTimeout anywhere in the file applies.
    await limited(called(fn), entry.timeout ?? owner.timeout ?? testTimeout, isTest ? 'a test' : `a hook (${entry.type})`);
    // expect's counts are one for the worker: a concurrent test's are not its own (jest does not keep them apart either).
    if (isTest && !entry.concurrent) {
      const [missing] = expect.extractExpectedAssertionsErrors();
      if (missing) throw missing.error;
    }
  } catch (error) {
    if (!(isTest && entry.failing)) throw withCodeFrame(asError(error), testPath);
    owner.passed.add(entry);
    return;
  }
  if (isTest && entry.failing) throw withCodeFrame(new Error('Failing test passed even though it was supposed to fail. Remove `.failing` to remove error.'), testPath);
  if (isTest) owner.passed.add(entry);
}

/** Calls a test's function, as a promise: of what it returns or throws, or of jest's `done` callback. */
function called(fn) {
  if (fn.length === 0) return new Promise((resolve) => resolve(fn()));
  return new Promise((resolve, reject) => {
    let calls = 0;
    let early; // done called before the function returned: settled after the check of what it returned
    const finish = ([error]) => (error ? reject(error) : resolve());
    const returned = fn((...error) => {
      if (++calls > 1) outside(new Error('Expected done to be called once, but it was called multiple times.'));
      else if (early === undefined) early = error;
      else finish(error);
    });
    if (typeof returned?.then === 'function') return reject(new Error("Test functions cannot both take a 'done' callback and return something. Either use a 'done' callback, or return a promise."));
    if (early) finish(early);
    else early = null;
  });
}

function limited(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Exceeded timeout of ${ms} ms for ${what}: give it a longer one (the test's third argument, or jest.setTimeout for the file).`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** What was thrown, as an Error (the runner prints a stack: `throw 'text'` would lose the file's results). */
function asError(value) {
  if ((util.types.isNativeError(value) || value instanceof Error) && typeof value.stack === 'string') return value;
  return new Error(`thrown: ${util.inspect(value)}`);
}

/**
 * A failure as jest shows one: the lines of the file where it failed, then the stack in the repository's terms
 * (jest-message-util, jest's own formatting); the runner prints the error's stack as it is.
 */
function withCodeFrame(error, testPath) {
  if (typeof error.stack !== 'string') return error;
  const { message, stack } = separateMessageFromStack(error.stack);
  // Node names a source-mapped anonymous function `<anonymous>`, which jest takes for an eval's frame and drops.
  const ours = stack.split('\n').filter((l) => !l.includes(__filename) && !/[\\/]tinypool[\\/]/.test(l))
    .map((l) => l.replace(/^(\s+at )<anonymous> \((.*)\)$/, '$1$2')).join('\n');
  error.stack = `${message}\n${formatStackTrace(ours, { rootDir: ROOT, testMatch: [] }, { noStackTrace: false }, testPath)}`;
  return error;
}

/**
 * Two root hooks of the file, kept first and last as hooks are added. The first beforeEach sets expect's counts to
 * zero (so that expect.hasAssertions() in a beforeEach counts). The last afterAll reports the errors thrown outside any
 * test — after the macrotask turn in which a promise nobody awaited is reported — and marks the snapshots of every test
 * that did not run or did not pass as checked: the runner marks them by the test's name without its describe blocks,
 * so `-t` found them obsolete and `-u` deleted them.
 */
function keepHooks(owner, root) {
  owner.first ??= { type: 'beforeEach', parent: root, fn: () => expect.setState({ assertionCalls: 0, expectedAssertionsNumber: null, isExpectingAssertions: false }) };
  owner.last ??= {
    type: 'afterAll',
    parent: root,
    fn: async () => {
      await new Promise((resolve) => setImmediate(resolve));
      owner.ended = true;
      const { snapshotState, testPath } = expect.getState();
      for (const t of owner.tests) if (!owner.passed.has(t)) snapshotState.markSnapshotsAsCheckedForTest(fullName(t));
      const errors = owner.outside.splice(0).map((e) => withCodeFrame(e, testPath));
      if (errors.length === 1) throw errors[0];
      if (errors.length) {
        const all = new Error(`${errors.length} errors thrown outside any test`);
        all.stack = `${all.message}:\n\n${errors.map((e) => e.stack).join('\n\n')}`;
        throw all;
      }
    },
  };
  const hooks = root.hooks.filter((h) => h !== owner.first && h !== owner.last);
  root.hooks.splice(0, root.hooks.length, owner.first, ...hooks, owner.last);
}

// jest-circus 30's way (run.ts, regroupConcurrentChildren): a describe block's concurrent tests that will run (not
// skipped, focused if any test is, matching -t) start together when the first one's turn comes, at most
// maxConcurrency (5) at a time, each with its own time limit; each is reported in its place.
function startConcurrently(items, state) {
  if (items[0].promise !== undefined) return;
  const queue = [];
  let running = 0;
  const next = () => {
    if (running >= state.maxConcurrency || !queue.length) return;
    running++;
    const { item, resolve, reject } = queue.shift();
    Promise.resolve().then(item.run).then(resolve, reject).finally(() => {
      running--;
      next();
    });
  };
  for (const item of items) {
    item.promise = willRun(item.entry, state) ? new Promise((resolve, reject) => queue.push({ item, resolve, reject })) : Promise.resolve();
    item.promise.catch(() => {}); // reported when its turn comes
  }
  for (let i = 0; i < state.maxConcurrency; i++) next();
}

/** A test's name as jest's: its describe blocks' and its own (the root block's left out). */
function fullName(entry) {
  const names = [];
  for (let e = entry; e.parent; e = e.parent) names.unshift(e.name);
  return names.join(' ');
}

function willRun(entry, state, pattern = testNamePattern) {
  for (let e = entry; e; e = e.parent) if (e.mode === 'skip') return false;
  if (state.hasFocusedTests && entry.mode !== 'only') return false;
  return !pattern || pattern.test(fullName(entry));
}

/** The run's -t pattern and testTimeout: from the runner's worker data, or in-band from scripts/jest-global.js. */
function runConfig() {
  const globalConfig = process.__tinypool_state__?.workerData?.globalConfig ?? globalThis[Symbol.for('cdk8s-secure-tls.jest.globalConfig')];
  return {
    testNamePattern: globalConfig?.testNamePattern ? new RegExp(globalConfig.testNamePattern, 'i') : null,
    testTimeout: globalConfig?.testTimeout ?? 5000,
  };
}

module.exports = { circus, willRun }; // for its test
