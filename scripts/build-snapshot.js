// Builds a V8 startup snapshot of a TypeScript entry: `node scripts/build-snapshot.js ENTRY.ts BLOB`, then
// `node --snapshot-blob BLOB -- [ARGS]` starts from Node's heap as the entry left it, without loading or compiling a
// module. The entry runs once, here: its top level loads and warms what a run needs, and it exports `main`, which every
// run from the snapshot calls — after checking that it may (scripts/snapshot-start.js: else it exits with 14, and the
// caller runs the entry the usual way, scripts/synth.sh). What a snapshot cannot hold, or must not carry into runs, the
// code drops with beforeSnapshot() (lib/policy/snapshot.ts).
//
// Node 20 snapshots one script and no user module loaded through require(): the entry goes in as one bundle, minified
// (a snapshot keeps the source; a third smaller loads faster).
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const v8 = require('v8');
const { bundle, bundleOf, freshRecord } = require('./bundle');
const { cacheKey } = require('./transpile');

/** Whether the build that holds a lock still runs (a lock of a killed one is taken over; unreadable: after 2 min). */
function holderAlive(lock) {
  try {
    const held = fs.statSync(lock);
    const pid = Number(fs.readFileSync(lock, 'utf8'));
    if (!pid) return Date.now() - held.mtimeMs < 120_000; // written, not yet filled
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM'; // another user's live process; ENOENT (released) or ESRCH (gone): free
  }
}

async function main() {
  const [entryArg, blobArg] = process.argv.slice(2);
  if (!entryArg || !blobArg || !fs.existsSync(entryArg)) {
    process.stderr.write('usage: node scripts/build-snapshot.js ENTRY.ts BLOB (ENTRY exports main())\n');
    process.exit(2);
  }
  const entry = path.resolve(entryArg);
  const blob = path.resolve(blobArg);
  // The script the snapshot is made of (scripts/snapshot-start.js does the work), in a folder of its own: a bundle's
  // record includes the files of the folders above its inputs.
  const start = path.join(__dirname, '..', 'node_modules', '.cache', 'snapshot-entries', `${path.basename(entry, path.extname(entry))}-${cacheKey(entry).slice(0, 8)}`, 'start.js');
  const source = `require(${JSON.stringify(path.join(__dirname, 'snapshot-start.js'))})(${JSON.stringify(entry)}, () => require(${JSON.stringify(entry)}));\n`;
  if (!fs.existsSync(start) || fs.readFileSync(start, 'utf8') !== source) {
    fs.mkdirSync(path.dirname(start), { recursive: true });
    fs.writeFileSync(start, source);
    // A bundle records no input written in the millisecond it starts (it could be half-saved): let that pass.
    while (Date.now() <= fs.statSync(start).mtimeMs + 1);
  }
  // One build of a blob at a time; none when the blob was made from what its inputs are now (`<blob>.json`: the record
  // it was made with).
  fs.mkdirSync(path.dirname(blob), { recursive: true });
  const lock = `${blob}.lock`;
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      if (!holderAlive(lock)) fs.rmSync(lock, { force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
  try {
    // What the blob was made of, and by which Node (all that Node checks before it uses a blob: its version, V8's and
    // V8's flags, the machine): another Node refuses it, and this one makes it again.
    const by = `${process.version} ${process.arch} ${process.platform} v8 ${process.versions.v8} ${v8.cachedDataVersionTag()} ${process.execPath}\n`;
    const now = freshRecord(bundleOf(start, true));
    if (now && fs.existsSync(blob) && fs.existsSync(`${blob}.json`) && fs.readFileSync(`${blob}.json`, 'utf8') === by + now) return;
    const script = await bundle(start, { minify: true, also: entry });
    const fresh = freshRecord(script);
    const record = fresh && by + fresh;
    const tmp = `${blob}.${process.pid}`;
    // With no variable set: scripts/snapshot-start.js then refuses runs with any set that the entry read.
    // --no-warnings: Node's warning about built-ins in a snapshot reads FORCE_COLOR as it prints, which jest and CI set.
    const made = spawnSync(process.execPath, ['--no-warnings', '--snapshot-blob', tmp, '--build-snapshot', script], {
      env: { CDK8S_TLS_SNAPSHOT_BUNDLE: script }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8',
    });
    if (made.status !== 0) {
      fs.rmSync(tmp, { force: true });
      // Without the lines of minified source Node quotes where an error was thrown (one line is the whole bundle).
      throw new Error(`the snapshot of ${entry} could not be made (exit ${made.status}):\n${made.stderr.split('\n').filter((l) => l.length <= 400).join('\n')}`);
    }
    fs.writeFileSync(`${tmp}.json`, record);
    fs.renameSync(tmp, blob);
    fs.renameSync(`${tmp}.json`, `${blob}.json`);
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`build-snapshot: ${e.message}\n`);
  process.exitCode = 1;
});
