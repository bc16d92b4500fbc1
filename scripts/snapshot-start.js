// The start of every startup snapshot scripts/build-snapshot.js makes, bundled with its entry: loads the entry while
// the snapshot is made, and makes every run from the snapshot check first that it may start from it.
const { startupSnapshot } = require('v8');
const { freshRecord } = require('./bundle');

/**
 * `entry` is the entry's path, `load()` requires it. A run exits with 14 (as Node does for a snapshot it cannot use:
 * the caller runs the entry the usual way, scripts/synth.sh) before anything of the entry runs when
 * - an input changed since: the record of this bundle's inputs differs (scripts/bundle.js), or
 * - a variable is set that the entry read while the snapshot was made (with no variable set, scripts/build-snapshot.js):
 *   a module may have kept what it read then — @bufbuild/protobuf reads BUF_BIGINT_DISABLE once, as it loads.
 * An error the entry's main() throws is reported in one line and the run exits with 14 too: the usual way then runs it
 * again and reports it with readable code, where a snapshot's stack points into a minified bundle.
 */
module.exports = function start(entry, load) {
  const self = process.env.CDK8S_TLS_SNAPSHOT_BUNDLE;
  const made = freshRecord(self);
  if (!made) throw new Error(`${self} is out of date: an input changed while its snapshot was being made`);
  const env = process.env;
  const read = new Set();
  const note = (k) => typeof k === 'string' && read.add(k);
  process.env = new Proxy(env, {
    get: (t, k) => (note(k), t[k]),
    has: (t, k) => (note(k), k in t),
    getOwnPropertyDescriptor: (t, k) => (note(k), Reflect.getOwnPropertyDescriptor(t, k)),
    ownKeys: (t) => (read.add('*'), Reflect.ownKeys(t)),
  });
  let entryModule;
  try {
    entryModule = load();
  } finally {
    process.env = env;
  }
  startupSnapshot.setDeserializeMainFunction(() => {
    if (freshRecord(self) !== made) process.exit(14);
    const set = [...read].filter((k) => (k === '*' ? Object.keys(process.env).length > 0 : process.env[k] !== undefined));
    if (set.length) process.exit(14);
    process.argv.splice(1, 0, entry);
    try {
      entryModule.main();
    } catch (e) {
      process.stderr.write(`(the run from the startup snapshot failed: ${e?.message?.split('\n')[0] ?? e}; running it the usual way)\n`);
      process.exit(14);
    }
  });
};
