// One esbuild bundle of a TypeScript entry point and everything it imports, node_modules included, kept in
// node_modules/.cache/bundles for scripts/run-bundled.js (npm run synth's fallback) and scripts/build-snapshot.js.
// Loading ~270 modules one by one costs a synth more than the code in them (resolving each request, reading
// package.json files, a compile each); one bundle is one read and one compile. A bundle is rebuilt when any input
// changed (size or modification time), when a folder on an input's lookup path gained or lost something an import
// could resolve to (stamp() below), when npm's record of node_modules changed (npm writes its files with one fixed
// time, and it changes with esbuild's version), or when this file changed. Each bundled file keeps its own __dirname.
const fs = require('fs');
const path = require('path');
const { cacheKey } = require('./transpile');

const root = path.join(__dirname, '..');
const dir = path.join(root, 'node_modules', '.cache', 'bundles');

/** Where the bundle of an entry is kept (its record of inputs is `<bundle>.json`). */
const bundleOf = (entry, minify = false) => path.join(dir, `${path.basename(entry, path.extname(entry))}-${cacheKey(entry, String(minify)).slice(0, 8)}.js`);

/** What a bundle was made with: this file and npm's record of node_modules. Read from disk, also from a snapshot. */
function maker() {
  let tree = 'none';
  try {
    tree = cacheKey(fs.readFileSync(path.join(root, 'node_modules', '.package-lock.json'), 'utf8'));
  } catch {}
  return `${cacheKey(fs.readFileSync(__filename, 'utf8'))} ${tree}`;
}
/**
 * What in a folder could change what an import resolves to: its files (a new `x.js` or `x` comes before `x.ts` and
 * `x/index.ts`), its node_modules folder, and in a node_modules folder (or a @scope in one) every package folder too.
 * Not other folders (a file of the same name comes first), nor the folder's time: `cdk8s synth` removes and makes
 * dist/ again.
 */
function resolvable(folder) {
  const packages = path.basename(folder) === 'node_modules' || (path.basename(folder).startsWith('@') && path.basename(path.dirname(folder)) === 'node_modules');
  return fs.readdirSync(folder, { withFileTypes: true })
    .filter((e) => !e.isDirectory() || e.name === 'node_modules' || (packages && !e.name.startsWith('.'))).map((e) => e.name).sort();
}
/** A file by size and modification time, a folder by the names of what in it is resolvable. */
function stamp(file, folder = fs.statSync(file).isDirectory()) {
  if (folder) return `dir:${cacheKey(...resolvable(file))}`;
  const s = fs.statSync(file);
  return `${s.size}:${s.mtimeMs}`;
}

/** The record a bundle was made with, when the bundle is still what its inputs make (else undefined). */
function freshRecord(bundle) {
  try {
    const record = fs.readFileSync(`${bundle}.json`, 'utf8');
    const m = JSON.parse(record);
    return fs.existsSync(bundle) && m.maker === maker() && Object.entries(m.stamps).every(([f, s]) => stamp(f, s.startsWith('dir:')) === s) ? record : undefined;
  } catch {
    return undefined; // no bundle yet, or an input is gone
  }
}

/**
 * Every input, and the folders above it where an import is looked up: up to the repository, or the folder of the
 * entry (or of the `also` file: the entry a startup snapshot's start script loads).
 */
function watched(entry, inputs, also) {
  const tops = [root, path.dirname(entry), ...(also ? [path.dirname(also)] : [])];
  const out = new Set(inputs);
  for (const f of inputs) {
    const top = tops.filter((t) => f.startsWith(t + path.sep)).sort((x, y) => y.length - x.length)[0] ?? path.parse(f).root;
    for (let d = path.dirname(f); ; d = path.dirname(d)) {
      out.add(d);
      if (d === top || d === path.dirname(d)) break;
    }
  }
  return [...out];
}

/**
 * esbuild leaves __dirname and __filename to the bundle's: each file that uses them (ours, and cdk8s's, which finds a
 * helper script beside itself) gets its own back, after its hashbang, leading comments and "use strict" (which must stay
 * first). A file that declares its own __dirname (at the start of a line: this one only writes such lines) keeps it.
 */
const ownPaths = {
  name: 'own-paths',
  setup(build) {
    build.onLoad({ filter: /\.(ts|js|cjs)$/ }, (args) => {
      const source = fs.readFileSync(args.path, 'utf8');
      if (!/\b__(dirname|filename)\b/.test(source) || /^\s*(var|let|const)\s+__(dirname|filename)\b/m.test(source)) return undefined;
      const [, head, rest] = /^((?:#!.*\n)?(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*(?:(?:'use strict'|"use strict");?)?)([\s\S]*)$/.exec(source);
      const paths = `var __dirname = ${JSON.stringify(path.dirname(args.path))}, __filename = ${JSON.stringify(args.path)};`;
      return { loader: args.path.endsWith('.ts') ? 'ts' : 'js', contents: `${head}${paths}${rest}` };
    });
  },
};

/**
 * The bundle of an entry, built first unless fresh. `minify`: smaller names and no whitespace (a startup snapshot holds
 * the source: it is a third smaller and loads faster so). `also`: a file whose folder bounds the folders watched, as
 * the entry's does (scripts/build-snapshot.js: the entry its start script loads).
 */
async function bundle(entry, { minify = false, also } = {}) {
  const out = bundleOf(entry, minify);
  if (freshRecord(out)) return out;
  const esbuild = require('esbuild');
  const started = Date.now();
  const made = maker();
  const result = await esbuild.build({
    entryPoints: [entry], bundle: true, platform: 'node', target: 'node20', format: 'cjs', write: false, metafile: true,
    logLevel: 'silent', plugins: [ownPaths], absWorkingDir: root, external: ['esbuild'], minify, keepNames: minify,
    // As Node resolves (ts-loader adds .ts after .js) and transpiles (no tsconfig, as scripts/transpile.js) a direct run.
    resolveExtensions: ['.js', '.json', '.node', '.ts'], tsconfigRaw: {},
  });
  const inputs = Object.keys(result.metafile.inputs).map((f) => path.resolve(root, f));
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(`${out}.${process.pid}`, result.outputFiles[0].contents);
  fs.renameSync(`${out}.${process.pid}`, out);
  // An input saved while the bundle was made may not be in it: then no record, and the next run builds again. For a
  // folder, what in it counts (its time also moves when another folder is made in it). An input gone since: no record.
  const settled = (f) => fs.statSync(f).mtimeMs < started;
  let stamps;
  try {
    stamps = Object.fromEntries(watched(entry, inputs, also).map((f) => [f, stamp(f)]));
    if (!Object.entries(stamps).every(([f, s]) => (s.startsWith('dir:') ? resolvable(f).every((e) => settled(path.join(f, e))) : settled(f)))) stamps = undefined;
  } catch {
    stamps = undefined;
  }
  if (stamps) {
    fs.writeFileSync(`${out}.json.${process.pid}`, JSON.stringify({ maker: made, stamps }));
    fs.renameSync(`${out}.json.${process.pid}`, `${out}.json`);
  }
  return out;
}

module.exports = { bundle, bundleOf, freshRecord };
