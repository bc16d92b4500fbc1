// jest's setupFilesAfterEnv under jest-light-runner (package.json). That runner runs the test files in plain Node worker
// threads, which load cdk8s, cdk8s-plus-27 and the validators once per worker instead of once per file (jest's own
// runner gives every file its own modules): about a third of the tests' CPU. Three things of jest's that it leaves
// out and the tests use are added here, as jest-circus has them: time limits, jest.setTimeout and test.concurrent.
const path = require('path');

// TypeScript through scripts/ts-loader.js (the commands' loader), with source maps on, so a failure names the line of
// the .ts file; the runner's import() of a .ts file is handed to that CommonJS loader (scripts/jest-esm-ts.mjs).
process.setSourceMapsEnabled(true);
require('./ts-loader');
require('module').register('./jest-esm-ts.mjs', require('url').pathToFileURL(__filename));

// The jest-circus the runner registers tests with (its own dependency).
const circus = require(require.resolve('jest-circus', { paths: [path.dirname(require.resolve('jest-light-runner'))] }));
const { testNamePattern, testTimeout } = runConfig();
/** jest.setTimeout of each test file (a worker runs several, one after another). */
const timeouts = new Map();
jest.setTimeout = (ms) => {
  timeouts.set(expect.getState().testPath, ms);
  return jest;
};

// Each test and hook is wrapped as it is registered: its function gets its time limit (its own argument, else the
// file's), a concurrent test is started with the others of its describe block (below).
const concurrent = new WeakMap(); // describe block → its concurrent tests
circus.addEventHandler((event, state) => {
  if (event.name !== 'add_test' && event.name !== 'add_hook') return;
  const block = state.currentDescribeBlock;
  const entry = event.name === 'add_test' ? block.children.at(-1) : block.hooks.at(-1);
  if (!entry || entry.fn !== event.fn) return; // not registered (circus recorded an error)
  const testFile = expect.getState().testPath;
  const what = entry.type === 'test' ? 'a test' : `a hook (${entry.type})`;
  // Read when it runs, as jest does: jest.setTimeout anywhere in the file applies.
  const run = () => limited(promised(event.fn), entry.timeout ?? timeouts.get(testFile) ?? testTimeout, what).catch((error) => {
    throw withCodeFrame(error, testFile);
  });
  if (entry.type !== 'test' || !entry.concurrent) {
    entry.fn = run;
    return;
  }
  if (!concurrent.has(block)) concurrent.set(block, []);
  const item = { entry, run, promise: undefined };
  concurrent.get(block).push(item);
  entry.fn = () => {
    startConcurrently(concurrent.get(block), state);
    return item.promise;
  };
});

/** Calls a test's function, as a promise (also of what it throws, or gives jest's `done` callback). */
function promised(fn) {
  if (fn.length === 0) return new Promise((resolve) => resolve(fn()));
  return new Promise((resolve, reject) => fn((error) => (error ? reject(error) : resolve())));
}

/**
 * A failure as jest shows one: the lines of the file where it failed, then the stack in the repository's terms
 * (jest-message-util, jest's own formatting); the runner prints the error's stack as it is.
 */
function withCodeFrame(error, testFile) {
  if (!(error instanceof Error) || typeof error.stack !== 'string') return error;
  const { formatStackTrace, separateMessageFromStack } = require('jest-message-util');
  const { message, stack } = separateMessageFromStack(error.stack);
  // Node names a source-mapped anonymous function `<anonymous>`, which jest takes for an eval's frame and drops.
  const ours = stack.split('\n').filter((l) => !l.includes(__filename) && !/[\\/]tinypool[\\/]/.test(l))
    .map((l) => l.replace(/^(\s+at )<anonymous> \((.*)\)$/, '$1$2')).join('\n');
  error.stack = `${message}\n${formatStackTrace(ours, { rootDir: path.join(__dirname, '..'), testMatch: [] }, { noStackTrace: false }, testFile)}`;
  return error;
}

function limited(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Exceeded timeout of ${ms} ms for ${what}: give it a longer one (the test's third argument, or jest.setTimeout for the file).`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
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

function willRun(entry, state, pattern = testNamePattern) {
  const names = [];
  for (let e = entry; e; e = e.parent) {
    if (e.mode === 'skip') return false;
    if (e.parent) names.unshift(e.name); // not the root block's name
  }
  if (state.hasFocusedTests && entry.mode !== 'only') return false;
  return !pattern || pattern.test(names.join(' '));
}

/**
 * The run's -t pattern and testTimeout (5 s unless configured), from the runner's worker data (worker threads), else
 * (--runInBand: the tests run in jest's own thread) -t from jest's command line.
 */
function runConfig() {
  const globalConfig = process.__tinypool_state__?.workerData?.globalConfig;
  if (globalConfig) {
    return { testNamePattern: globalConfig.testNamePattern ? new RegExp(globalConfig.testNamePattern, 'i') : null, testTimeout: globalConfig.testTimeout ?? 5000 };
  }
  const argv = process.argv;
  const i = argv.findIndex((a) => a === '-t' || a === '--testNamePattern' || a.startsWith('--testNamePattern='));
  const value = i < 0 ? undefined : argv[i].includes('=') ? argv[i].slice(argv[i].indexOf('=') + 1) : argv[i + 1];
  return { testNamePattern: value ? new RegExp(value, 'i') : null, testTimeout: 5000 };
}

module.exports = { willRun }; // for its test
