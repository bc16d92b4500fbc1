import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// scripts/build-snapshot.js makes a V8 startup snapshot of an entry (npm run synth starts from one, scripts/synth.sh):
// a run from it must behave as the entry run afresh, and a changed input must never leave an old snapshot running.
const root = path.join(__dirname, '..', '..');
// The many node processes below start without the CA bundle NODE_EXTRA_CA_CERTS may name (~90 ms each to load).
const quick = (env: NodeJS.ProcessEnv = process.env) => ({ ...env, NODE_EXTRA_CA_CERTS: '' });
const build = (entry: string, blob: string, env?: NodeJS.ProcessEnv) => spawnSync(process.execPath, [path.join(root, 'scripts', 'build-snapshot.js'), entry, blob], { encoding: 'utf8', env: quick(env) });
const runBlob = (blob: string, args: string[] = [], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
  spawnSync(process.execPath, ['--snapshot-blob', blob, ...args], { encoding: 'utf8', ...options, env: quick(options.env) });
/** Every file under a folder, by relative path, with its content. */
const tree = (dir: string): Record<string, string> => Object.fromEntries((fs.readdirSync(dir, { recursive: true }) as string[]).sort()
  .filter((f) => fs.statSync(path.join(dir, f)).isFile()).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
/** The bundles and entry scripts made for files under `dir` (removed after each test; other tests' come and go). */
function cleanUp(dir: string): void {
  const mentions = (file: string) => {
    try {
      return fs.readFileSync(file, 'utf8').includes(JSON.stringify(dir).slice(1, -1));
    } catch {
      return false; // gone meanwhile, or a folder
    }
  };
  const bundles = path.join(root, 'node_modules', '.cache', 'bundles');
  for (const f of fs.readdirSync(bundles).filter((x) => x.endsWith('.js.json')).map((x) => path.join(bundles, x))) {
    if (mentions(f)) for (const x of [f, f.slice(0, -'.json'.length)]) fs.rmSync(x, { force: true });
  }
  const entries = path.join(root, 'node_modules', '.cache', 'snapshot-entries');
  for (const d of fs.readdirSync(entries).map((x) => path.join(entries, x))) {
    if (mentions(path.join(d, 'start.js'))) fs.rmSync(d, { recursive: true, force: true });
  }
}

test('a run starts from the state the entry made, drops what beforeSnapshot() names, refuses when an input or a variable it read changed', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snapshot-'));
  try {
    const dep = path.join(dir, 'dep.ts');
    const entry = path.join(dir, 'entry.ts');
    const blob = path.join(dir, 'out', 'entry.blob');
    fs.writeFileSync(dep, 'export const value: number = 1;\n');
    // Not beside the entry: a new file in a folder an import is looked up in makes the snapshot out of date.
    const ranLog = path.join(dir, 'log', 'ran.txt');
    fs.mkdirSync(path.dirname(ranLog));
    fs.writeFileSync(entry, [
      "import * as fs from 'fs';",
      `import { beforeSnapshot } from ${JSON.stringify(path.join(root, 'lib', 'policy', 'snapshot'))};`,
      "import { value } from './dep';",
      // The top level runs when the snapshot is made, never again: each run counts in ran.txt.
      `fs.appendFileSync(${JSON.stringify(ranLog)}, 'top level\\n');`,
      'const made = [value * 10];',
      'const remembered = [1, 2, 3];',
      'beforeSnapshot(() => { remembered.length = 0; });',
      'const atLoad = process.env.FIXTURE_AT_LOAD ?? null;',
      // Read as it loads too, but declared as read each time it is needed: a run may set it.
      "export const readEachTime = ['FIXTURE_EACH'];",
      'const each = process.env.FIXTURE_EACH;',
      // A method of Object.prototype is no variable: not one that a run could set.
      "if (process.env.hasOwnProperty('FIXTURE_OTHER') || each) throw new Error('not set while the snapshot is made');",
      // Ends as soon as main() has returned and left nothing open: how it ended, printed as it ends when asked.
      'export const exitWhenDone = true;',
      'export function main(): void {',
      "  if (process.argv.includes('--how')) process.once('exit', () => process.stdout.write(new Error().stack!.includes('exitIfIdle') ? 'ended early\\n' : 'ended by node\\n'));",
      "  if (process.argv.includes('--throw')) throw new Error('main failed\\nat its second line');",
      "  if (process.argv.includes('--later')) setTimeout(() => process.stdout.write('later\\n'), 20);",
      '  console.log(JSON.stringify({ made, remembered, atLoad, argv: process.argv.slice(1), env: process.env.FIXTURE ?? null }));',
      '}',
    ].join('\n'));
    const expected = (value: number) => `${JSON.stringify({ made: [value * 10], remembered: [], atLoad: null, argv: [entry, 'x', '--y'], env: 'now' })}\n`;

    // Made with no variable set: what the builder's environment holds is not what a later run's does.
    expect(build(entry, blob, { ...process.env, FIXTURE_AT_LOAD: 'build' }))
      .toMatchObject({ status: 0, stderr: '' });
    const ran = () => fs.readFileSync(ranLog, 'utf8').split('\n').filter(Boolean).length;
    expect(ran()).toBe(1);
    for (let i = 0; i < 2; i++) expect(runBlob(blob, ['x', '--y'], { env: { ...process.env, FIXTURE: 'now' } })).toMatchObject({ status: 0, stdout: expected(1), stderr: '' });
    expect(ran()).toBe(1); // the runs started from the snapshot, they did not run the entry again
    // Up to date: a second build makes nothing.
    const builtAt = fs.statSync(blob).mtimeMs;
    expect(build(entry, blob)).toMatchObject({ status: 0, stderr: '' });
    expect(fs.statSync(blob).mtimeMs).toBe(builtAt);
    // Made by another Node (its record says so): this one refuses that blob, so the next build makes it again.
    const record = fs.readFileSync(`${blob}.json`, 'utf8');
    expect(record.split('\n')[0]).toBe(`${process.version} ${process.arch} ${process.platform} v8 ${process.versions.v8} ${require('v8').cachedDataVersionTag()} ${process.execPath}`);
    fs.writeFileSync(`${blob}.json`, record.replace(process.version, 'v0.0.0'));
    expect(build(entry, blob)).toMatchObject({ status: 0, stderr: '' });
    expect(fs.statSync(blob).mtimeMs).toBeGreaterThan(builtAt);
    expect(fs.readFileSync(`${blob}.json`, 'utf8')).toBe(record);
    expect(ran()).toBe(2); // made again: the entry's top level ran once more
    // A variable the entry read while the snapshot was made, set now: the module may have kept its old value.
    expect(runBlob(blob, ['x'], { env: { ...process.env, FIXTURE_AT_LOAD: 'now' } })).toMatchObject({ status: 14, stdout: '' });
    expect(runBlob(blob, ['x', '--y'], { env: { ...process.env, FIXTURE: 'now', FIXTURE_EACH: 'now' } })).toMatchObject({ status: 0, stdout: expected(1) });
    // Ended right after main(), unless it left something to do.
    expect(runBlob(blob, ['--', '--how'])).toMatchObject({ status: 0, stdout: expect.stringMatching(/\nended early\n$/) });
    expect(runBlob(blob, ['--', '--how', '--later'])).toMatchObject({ status: 0, stdout: expect.stringMatching(/\nlater\nended by node\n$/) });
    // An error of main(): one line, and 14 (the usual way runs it again and reports it in full).
    expect(runBlob(blob, ['--', '--throw'])).toMatchObject({ status: 14, stdout: '', stderr: '(the run from the startup snapshot failed: main failed; running it the usual way)\n' });

    // An input changed: nothing of the snapshot runs (what counts as a change is scripts/bundle.js's record, tested
    // with scripts/run-bundled.js).
    fs.writeFileSync(dep, 'export const value: number = 2;\n');
    expect(runBlob(blob, ['x', '--y'])).toMatchObject({ status: 14, stdout: '' });
    expect(ran()).toBe(2);

    expect(build(path.join(dir, 'nope.ts'), blob)).toMatchObject({ status: 2, stderr: expect.stringMatching(/^usage: node scripts\/build-snapshot\.js ENTRY\.ts BLOB/) });
    // An entry that lists the environment could have kept all of it: no snapshot is made of it.
    fs.writeFileSync(path.join(dir, 'broken.ts'), 'export function main(): void {}\nexport const names = Object.keys(process.env);\n');
    const broken = build(path.join(dir, 'broken.ts'), path.join(dir, 'out', 'broken.blob'));
    expect(broken).toMatchObject({ status: 1, stderr: expect.stringContaining('broken.ts lists the environment while its snapshot is made') });
    expect(broken.stderr.split('\n').filter((l) => l.length > 400)).toEqual([]); // not the minified bundle quoted
    expect(fs.readdirSync(path.join(dir, 'out')).filter((f) => f.startsWith('broken'))).toEqual([]);
  } finally {
    cleanUp(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

test('npm run synth starts from the snapshot of the synth (scripts/synth.sh) and writes exactly the committed dist/', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-snapshot-'));
  let standIns: string[] = [];
  try {
    const synth = (cwd: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env) => spawnSync('sh', [path.join(root, 'scripts', 'synth.sh'), ...args], { cwd, env, encoding: 'utf8' });
    // From other folders: it writes dist/ where it is run. The first run makes the snapshot, if it is not ready.
    const first = path.join(dir, 'first');
    fs.mkdirSync(first);
    expect(synth(first, [], { ...process.env, CDK8S_TLS_SNAPSHOT_WAIT: '1' })).toMatchObject({ status: 0, stderr: '' });
    // Every node the next run starts, logged by a stand-in on the PATH.
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'node'), `#!/bin/sh\necho "\${NODE_EXTRA_CA_CERTS-(no extra CAs)} $*" >> ${JSON.stringify(path.join(dir, 'node.log'))}\nexec ${JSON.stringify(process.execPath)} "$@"\n`, { mode: 0o755 });
    // A CA bundle named for every Node: the synth's is started without it (it opens no TLS connection).
    const cas = path.join(dir, 'ca.pem');
    fs.writeFileSync(cas, '');
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, NODE_EXTRA_CA_CERTS: cas };
    delete env.NODE_OPTIONS;
    const log = path.join(dir, 'node.log');
    // The stand-in is a node of its own, with a snapshot of its own (named by the node found): the real one's, copied.
    const blobOf = (e: NodeJS.ProcessEnv) => {
      const sum = spawnSync('sh', ['-c', 'printf \'%s\\n%s\' "$0" "$(command -v node)" | cksum', fs.realpathSync(root)], { env: e, encoding: 'utf8' }).stdout.split(' ')[0];
      return path.join(root, 'node_modules', '.cache', 'snapshots', `synth-${sum}.blob`);
    };
    const standIn = blobOf(env);
    expect(standIn).not.toBe(blobOf(process.env));
    standIns = [standIn];
    for (const f of ['', '.json']) fs.copyFileSync(`${blobOf(process.env)}${f}`, `${standIn}${f}`);
    const work = path.join(dir, 'work');
    fs.mkdirSync(work);
    // An argument that looks like an option of node's goes to main.ts (which reads none), not to node.
    expect(synth(work, ['--inspect-brk'], env)).toMatchObject({ status: 0, stderr: '' });
    // One node: the snapshot's (the blob's name needs none, nor the synth's outcome).
    const blob = `${fs.realpathSync(root)}/node_modules/.cache/snapshots/synth-`;
    expect(fs.readFileSync(log, 'utf8').trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^\\(no extra CAs\\) --snapshot-blob ${blob.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\d+\\.blob -- --inspect-brk$`)),
    ]);
    const committed = tree(path.join(root, 'dist'));
    expect(Object.keys(committed).length).toBeGreaterThan(10);
    expect(tree(path.join(first, 'dist'))).toEqual(committed);
    expect(tree(path.join(work, 'dist'))).toEqual(committed);
  } finally {
    for (const blob of standIns) for (const f of [blob, `${blob}.json`]) fs.rmSync(f, { force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

test('a run from a snapshot ends as soon as its entry left nothing to do, never while something is still open or buffered', () => {
  // exitIfIdle() runs in the turn after main(): what it does not end prints " left to node" (and then runs on).
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'idle-'));
  const run = (before: string, stdio: 'pipe' | 'file' = 'pipe') => {
    const script = [
      `const { exitIfIdle } = require(${JSON.stringify(path.join(root, 'scripts', 'snapshot-start.js'))});`,
      before,
      "setImmediate(() => { exitIfIdle(); process.stdout.write(' left to node'); globalThis.held?.destroy(); globalThis.server?.close(); });",
    ].join('\n');
    if (stdio === 'pipe') return spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: quick() });
    const out = path.join(tmp, 'out.txt');
    const fd = fs.openSync(out, 'w');
    try {
      const r = spawnSync(process.execPath, ['-e', script], { stdio: ['ignore', fd, fd], env: quick() });
      return { status: r.status, stdout: fs.readFileSync(out, 'utf8') };
    } finally {
      fs.closeSync(fd);
    }
  };
  // Nothing open: ended early, with the exit code the entry set and all it wrote (to pipes or to a file).
  expect(run("process.stdout.write('out'); process.stderr.write('err'); process.exitCode = 3;")).toMatchObject({ status: 3, stdout: 'out', stderr: 'err' });
  expect(run("process.stdout.write('out'); process.exitCode = 3;", 'file')).toEqual({ status: 3, stdout: 'out' });
  expect(run('')).toMatchObject({ status: 0, stdout: '' });
  // Something still to do: a timer, a pending read, a server, a 'beforeExit' listener of the entry's own.
  expect(run("setTimeout(() => process.stdout.write(' timer'), 30);")).toMatchObject({ status: 0, stdout: ' left to node timer' });
  expect(run(`require('fs').readFile(${JSON.stringify(__filename)}, () => process.stdout.write(' read'));`)).toMatchObject({ status: 0, stdout: ' left to node read' });
  expect(run("globalThis.server = require('net').createServer().listen(0);")).toMatchObject({ status: 0, stdout: ' left to node' });
  expect(run("setImmediate(() => setImmediate(() => process.stdout.write(' next')));")).toMatchObject({ status: 0, stdout: ' left to node next' });
  expect(run("setTimeout(() => process.stdout.write(' timer'), 30);", 'file')).toEqual({ status: 0, stdout: ' left to node timer' });
  // A pipe beside those of the standard streams (a FIFO read and written by this process: it never ends by itself),
  // with the streams on pipes and on a file (which has no handle).
  const fifo = path.join(tmp, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const held = `globalThis.held = new (require('net').Socket)({ fd: require('fs').openSync(${JSON.stringify(fifo)}, 'r+') }); held.resume();`;
  expect(run(held)).toMatchObject({ status: 0, stdout: ' left to node' });
  expect(run(held, 'file')).toEqual({ status: 0, stdout: ' left to node' });
  // As many handles open as the streams have, one of them not theirs: stderr's closed, a timer.
  expect(run("process.stderr.destroy(); setTimeout(() => process.stdout.write(' timer'), 30);")).toMatchObject({ status: 0, stdout: ' left to node timer' });
  // Output still buffered (as on macOS, where pipes are asynchronous), and a 'beforeExit' listener of the entry's own.
  expect(run("Object.defineProperty(process.stdout, 'writableLength', { get: () => 1 });")).toMatchObject({ status: 0, stdout: ' left to node' });
  expect(run("process.on('beforeExit', () => {});")).toMatchObject({ status: 0, stdout: ' left to node' });
  fs.rmSync(tmp, { recursive: true, force: true });
});
