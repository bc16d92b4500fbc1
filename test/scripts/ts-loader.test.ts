import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { cacheKey }: { cacheKey: (...parts: string[]) => string } = require('../../scripts/transpile');

// scripts/ts-loader.js runs every repository command: TypeScript through esbuild, and every CommonJS module through
// V8's code cache. What a module sees must not change with the cache, whether it is missing, used or rejected.
const root = path.join(__dirname, '..', '..');
const v8 = path.join(root, 'node_modules', '.cache', 'ts-loader', 'v8');
// Other processes (the other tests' commands) share the folder and replace their files as they exit: one may be gone
// between the listing and its stat.
const binsSince = (t: number) => (fs.existsSync(v8) ? fs.readdirSync(v8) : []).flatMap((d) => fs.readdirSync(path.join(v8, d)).map((f) => path.join(v8, d, f)))
  .filter((f) => f.endsWith('.bin') && (fs.statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0) >= t);

test('a module behaves the same with the code cache missing, used and rejected', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loader-'));
  const stamp = `${process.pid}-${Date.now()}`; // a new source, so no earlier run cached it
  fs.writeFileSync(path.join(dir, 'dep.js'), `module.exports = (x) => x * 2; // ${stamp}`);
  fs.writeFileSync(path.join(dir, 'main.ts'), [
    '#!/usr/bin/env node', `// ${stamp}`,
    "const double: (x: number) => number = require('./dep');",
    "console.log(JSON.stringify({ value: double(21), main: require.main === module, resolved: require.resolve('./dep') === __dirname + '/dep.js', dirname: __dirname }));",
  ].join('\n'));
  const run = () => spawnSync(process.execPath, ['--require', path.join(root, 'scripts', 'ts-loader.js'), path.join(dir, 'main.ts')], { encoding: 'utf8' });
  const expected = `${JSON.stringify({ value: 42, main: true, resolved: true, dirname: dir })}\n`;

  const start = Date.now() - 1;
  expect(run()).toMatchObject({ status: 0, stdout: expected, stderr: '' });
  const written = binsSince(start).filter((f) => (fs.statSync(f, { throwIfNoEntry: false })?.size ?? 0) > 0);
  expect(written.length).toBeGreaterThanOrEqual(2); // main.ts (transpiled) and dep.js

  const second = Date.now();
  expect(run()).toMatchObject({ status: 0, stdout: expected, stderr: '' });
  expect(binsSince(second).filter((f) => written.includes(f))).toEqual([]); // used, not written again

  // dep.js's cache, by the loader's key (file name, then source): garbage in it must be rejected and replaced.
  const depFile = path.join(dir, 'dep.js');
  const depCache = written.find((f) => path.basename(f) === `${cacheKey(depFile)}.${cacheKey(fs.readFileSync(depFile, 'utf8'))}.bin`)!;
  expect(depCache).toBeDefined();
  fs.writeFileSync(depCache, 'not a code cache');
  expect(run()).toMatchObject({ status: 0, stdout: expected, stderr: '' });
  expect(fs.readFileSync(depCache).length).toBeGreaterThan(100);

  // A new source replaces the file's old cache: caches of sources gone are not left behind. Same length, other result:
  // V8 checks only a source's length, so a cache looked up under the old key would run the old code (42).
  fs.writeFileSync(depFile, `module.exports = (x) => x * 3; // ${stamp}`);
  expect(run()).toMatchObject({ status: 0, stdout: expected.replace('"value":42', '"value":63'), stderr: '' });
  expect(fs.existsSync(depCache)).toBe(false);
  expect(fs.readdirSync(path.dirname(depCache)).filter((f) => f.startsWith(`${cacheKey(depFile)}.`))).toEqual([`${cacheKey(depFile)}.${cacheKey(fs.readFileSync(depFile, 'utf8'))}.bin`]);
  fs.rmSync(dir, { recursive: true, force: true });
});
