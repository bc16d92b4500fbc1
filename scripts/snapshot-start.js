// The start of every startup snapshot scripts/build-snapshot.js makes, bundled with its entry: loads the entry while
// the snapshot is made, and makes every run from the snapshot check first that it may start from it.
const { Socket } = require('net');
const { startupSnapshot } = require('v8');
const { freshRecord } = require('./bundle');

/**
 * For an entry whose main() does its work synchronously (it exports `exitWhenDone = true`): ends the run right after
 * it unless something is still open that Node lists — a handle other than the standard streams' (a pipe or a
 * terminal; a file has none: a timer, a socket, a server, a child process, stdin read), a request (a file read), output
 * still buffered (pipes are asynchronous on macOS), a 'beforeExit' listener. Node's own end would first wait for V8's
 * background jobs (DrainTasks in src/api/embed_helpers.cc): optimizing compiles of code that will not run again, ~15 ms
 * of a synth's 0.5 s. Not listed, so never to be left running by such an entry: a Worker, thread-pool work with a
 * callback (zlib, crypto), WebAssembly compiles.
 */
function exitIfIdle() {
  const streams = [process.stdout, process.stderr];
  const own = streams.filter((s) => s instanceof Socket).length;
  const open = process.getActiveResourcesInfo();
  const idle = open.length <= own && open.every((r) => r === 'PipeWrap' || r === 'TTYWrap') && streams.every((s) => !s.writableLength);
  if (idle && !process.listenerCount('beforeExit')) process.exit();
}

/**
 * `entry` is the entry's path, `load()` requires it. A run exits with 14 (as Node does for a snapshot it cannot use:
 * the caller runs the entry the usual way, scripts/synth.sh) before anything of the entry runs when
 * - an input changed since: the record of this bundle's inputs differs (scripts/bundle.js), or
 * - a variable is set that the entry read while the snapshot was made (with no variable set, scripts/build-snapshot.js):
 *   a module may have kept what it read then — @bufbuild/protobuf reads BUF_BIGINT_DISABLE once, as it loads. Except
 *   those the entry exports as `readEachTime`: read each time they are needed, never kept.
 * An error the entry's main() throws is reported in one line and the run exits with 14 too: the usual way then runs it
 * again and reports it with readable code, where a snapshot's stack points into a minified bundle. An entry that exports
 * `exitWhenDone = true` ends as soon as its main() has returned and left nothing open (exitIfIdle).
 */
module.exports = function start(entry, load) {
  const self = process.env.CDK8S_TLS_SNAPSHOT_BUNDLE;
  const made = freshRecord(self);
  if (!made) throw new Error(`${self} is out of date: an input changed while its snapshot was being made`);
  const env = process.env;
  const read = new Set();
  // Names of Object.prototype (process.env.hasOwnProperty(...)) are no variables.
  const note = (k) => typeof k === 'string' && !(k in Object.prototype) && read.add(k);
  let listed = false;
  process.env = new Proxy(env, {
    get: (t, k) => (note(k), t[k]),
    has: (t, k) => (note(k), k in t),
    getOwnPropertyDescriptor: (t, k) => (note(k), Reflect.getOwnPropertyDescriptor(t, k)),
    ownKeys: (t) => ((listed = true), Reflect.ownKeys(t)),
  });
  let entryModule;
  try {
    entryModule = load();
  } finally {
    process.env = env;
  }
  // A list of every variable could have been kept whole: no later run could be told apart from it.
  if (listed) throw new Error(`${entry} lists the environment while its snapshot is made: no run could start from it`);
  for (const k of entryModule.readEachTime ?? []) read.delete(k);
  startupSnapshot.setDeserializeMainFunction(() => {
    if (freshRecord(self) !== made || [...read].some((k) => process.env[k] !== undefined)) process.exit(14);
    process.argv.splice(1, 0, entry);
    try {
      entryModule.main();
    } catch (e) {
      process.stderr.write(`(the run from the startup snapshot failed: ${e?.message?.split('\n')[0] ?? e}; running it the usual way)\n`);
      process.exit(14);
    }
    if (entryModule.exitWhenDone === true) setImmediate(exitIfIdle); // after what main() queued for this turn
  });
};
module.exports.exitIfIdle = exitIfIdle;
