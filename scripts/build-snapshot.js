// Builds a V8 startup snapshot of a TypeScript entry: `node scripts/build-snapshot.js ENTRY.ts BLOB`, then
// `node --snapshot-blob BLOB [ARGS]` starts from Node's heap as the entry left it, without loading or compiling a module.
// The entry runs once, here: its top level loads and warms what a run needs, and it exports `main`, which every run from
// the snapshot calls. A run whose inputs changed since (scripts/bundle.js: the same record as a bundle's) exits with 14,
// as Node does for a snapshot it cannot use, before running anything: the caller then runs the entry the usual way
// (scripts/synth.sh). What a snapshot cannot hold, or must not carry into runs, is dropped with beforeSnapshot().
//
// Node 20 snapshots one script and no user module loaded through require(): the entry goes in as one bundle, minified
// (a snapshot keeps the source; a third smaller loads faster).
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { bundle } = require('./bundle');
const { cacheKey } = require('./transpile');

async function main() {
  const [entryArg, blobArg] = process.argv.slice(2);
  if (!entryArg || !blobArg || !fs.existsSync(entryArg)) {
    process.stderr.write('usage: node scripts/build-snapshot.js ENTRY.ts BLOB (ENTRY exports main())\n');
    process.exit(2);
  }
  const entry = path.resolve(entryArg);
  const blob = path.resolve(blobArg);
  fs.mkdirSync(path.dirname(blob), { recursive: true });
  // One build of a blob at a time: a second waits for the first (a lock older than two minutes is of a build that
  // died), and is done if the first made one meanwhile.
  const lock = `${blob}.lock`;
  const started = Date.now();
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      const held = fs.statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 120_000) fs.rmSync(lock, { force: true });
      else if (held) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
  if ((fs.statSync(blob, { throwIfNoEntry: false })?.mtimeMs ?? 0) > started) {
    fs.rmSync(lock, { force: true });
    return;
  }
  try {
    // The script the snapshot is made of: the entry, and the check each run makes first. The record of inputs is the
    // one of this script's own bundle, read when the snapshot is made and again by every run.
    // Kept in a folder of its own: a bundle's record includes the folders above its inputs, and the blobs' folder
    // changes with every build.
    const start = path.join(__dirname, '..', 'node_modules', '.cache', 'snapshot-entries',
      `${path.basename(entry, path.extname(entry))}-${cacheKey(entry).slice(0, 8)}.js`);
    fs.mkdirSync(path.dirname(start), { recursive: true });
    const source = [
      "const { startupSnapshot } = require('v8');",
      `const { freshRecord } = require(${JSON.stringify(require.resolve('./bundle'))});`,
      `const entry = require(${JSON.stringify(entry)});`,
      'const self = process.env.CDK8S_TLS_SNAPSHOT_BUNDLE;',
      'const made = freshRecord(self);',
      "if (!made) throw new Error(`${self}: out of date while its snapshot was made`);",
      'startupSnapshot.setDeserializeMainFunction(() => {',
      '  if (freshRecord(self) !== made) process.exit(14);',
      `  process.argv.splice(1, 0, ${JSON.stringify(entry)});`,
      '  entry.main();',
      '});',
      '',
    ].join('\n');
    if (!fs.existsSync(start) || fs.readFileSync(start, 'utf8') !== source) {
      fs.writeFileSync(start, source);
      // A bundle records no input written in the millisecond it starts (it could be half-saved): let that pass.
      while (Date.now() <= fs.statSync(start).mtimeMs + 1);
    }
    const script = await bundle(start, { minify: true });
    const tmp = `${blob}.${process.pid}`;
    const made = spawnSync(process.execPath, ['--snapshot-blob', tmp, '--build-snapshot', script], {
      env: { ...process.env, CDK8S_TLS_SNAPSHOT_BUNDLE: script }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8',
    });
    if (made.status !== 0) {
      fs.rmSync(tmp, { force: true });
      throw new Error(`the snapshot of ${entry} could not be made (exit ${made.status}):\n${made.stderr}`);
    }
    fs.renameSync(tmp, blob);
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`build-snapshot: ${e.message}\n`);
  process.exitCode = 1;
});
