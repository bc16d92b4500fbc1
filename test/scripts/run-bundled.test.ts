import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// scripts/run-bundled.js (scripts/bundle.js) runs npm run synth as one bundle of main.ts and all it imports: the entry must see what it
// sees run directly, and a changed input must never leave an old bundle running.
const root = path.join(__dirname, '..', '..');
const bundles = path.join(root, 'node_modules', '.cache', 'bundles');

test('an entry sees its own paths and command line; the bundle is reused until an input or a lookup folder changes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundled-'));
  fs.mkdirSync(path.join(dir, 'sub'));
  const dep = path.join(dir, 'sub', 'dep.ts');
  fs.writeFileSync(dep, 'export const value: number = 1;\nexport const where = __dirname;\n');
  // A module with a command-line block: imported into the bundle, it must not run it.
  fs.writeFileSync(path.join(dir, 'sub', 'cli.ts'), "export const cli = 1;\nif (require.main === module) console.log('CLI RAN');\n");
  fs.mkdirSync(path.join(dir, 'sub', 'other'));
  fs.writeFileSync(path.join(dir, 'sub', 'other', 'index.ts'), "export const other = 'index';\n");
  fs.writeFileSync(path.join(dir, 'main.ts'), [
    '#!/usr/bin/env node',
    "import { value, where } from './sub/dep';",
    "import { cli } from './sub/cli';",
    "import { other } from './sub/other';",
    'if (!cli) throw new Error(other);',
    "if (process.argv.includes('--boom')) throw new Error('boom');",
    'console.log(JSON.stringify({ value, other, where, here: __dirname, argv: process.argv.slice(1) }));',
  ].join('\n'));
  const run = (entry = path.join(dir, 'main.ts'), flag = '--flag') => spawnSync(process.execPath, [path.join(root, 'scripts', 'run-bundled.js'), entry, flag, 'x'], { encoding: 'utf8' });
  const expected = (value: number, other = 'index') => `${JSON.stringify({ value, other, where: path.join(dir, 'sub'), here: dir, argv: [path.join(dir, 'main.ts'), '--flag', 'x'] })}\n`;
  // The bundles of this test's entries: those whose record of inputs lists one of its files.
  const made = (file = dep) => fs.readdirSync(bundles).filter((f) => f.endsWith('.js.json')).map((f) => path.join(bundles, f))
    .filter((f) => Object.keys(JSON.parse(fs.readFileSync(f, 'utf8')).stamps).some((i) => i.startsWith(file))).map((f) => f.slice(0, -'.json'.length));

  expect(run()).toMatchObject({ status: 0, stdout: expected(1), stderr: '' });
  const [bundle] = made();
  expect(bundle).toBeDefined();
  const built = fs.statSync(bundle).mtimeMs;
  expect(run()).toMatchObject({ status: 0, stdout: expected(1), stderr: '' });
  expect(fs.statSync(bundle).mtimeMs).toBe(built); // reused

  fs.writeFileSync(dep, 'export const value: number = 22;\nexport const where = __dirname;\n');
  expect(run()).toMatchObject({ status: 0, stdout: expected(22), stderr: '' });
  expect(fs.statSync(bundle).mtimeMs).toBeGreaterThan(built); // rebuilt

  // A new file that changes what an import resolves to (sub/other.ts before sub/other/index.ts), no input touched.
  fs.writeFileSync(path.join(dir, 'sub', 'other.ts'), "export const other = 'file';\n");
  expect(run()).toMatchObject({ status: 0, stdout: expected(22, 'file'), stderr: '' });
  // A new folder changes no resolution (a file of its name comes first): as cdk8s synth remaking dist/, it is no change;
  // a new node_modules folder is.
  const before = fs.statSync(bundle).mtimeMs;
  fs.mkdirSync(path.join(dir, 'sub', 'dist'));
  expect(run()).toMatchObject({ status: 0, stdout: expected(22, 'file'), stderr: '' });
  expect(fs.statSync(bundle).mtimeMs).toBe(before);
  fs.mkdirSync(path.join(dir, 'sub', 'node_modules'));
  expect(run()).toMatchObject({ status: 0, stdout: expected(22, 'file'), stderr: '' });
  expect(fs.statSync(bundle).mtimeMs).toBeGreaterThan(before);
  // A deleted bundle with its record left is built again, not skipped.
  fs.rmSync(bundle);
  expect(run()).toMatchObject({ status: 0, stdout: expected(22, 'file'), stderr: '' });

  const bad = run(undefined, '--boom');
  expect(bad.status).toBe(1);
  expect(bad.stderr).toMatch(/Error: boom/);
  expect(run(path.join(dir, 'nope.ts'))).toMatchObject({ status: 2, stderr: expect.stringMatching(/^usage: node scripts\/run-bundled\.js ENTRY\.ts .*nope\.ts: no such file/) });
  for (const f of made(dir)) for (const x of [f, `${f}.json`]) fs.rmSync(x, { force: true });
  fs.rmSync(dir, { recursive: true, force: true });
});
