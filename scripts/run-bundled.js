// Runs one of this repository's TypeScript entry points as a single esbuild bundle of it and everything it imports,
// node_modules included: `node scripts/run-bundled.js main.ts [args]` (npm run synth). Loading ~270 modules one by one
// costs a synth more than the code in them (resolving each request, reading package.json files, a compile each); one
// bundle is one read and one compile. The bundle is kept in node_modules/.cache/bundles and rebuilt when any input
// changed (size or modification time), when a folder on an input's lookup path gained or lost an entry (a new file can
// change what an import resolves to), when npm's record of node_modules changed (npm writes its files with one fixed
// time), or when esbuild or this runner changed. Modules loaded by a computed path (the validators) stay outside the
// bundle and load from where they are; each bundled file keeps its own __dirname. The V8 code cache of
// scripts/ts-loader.js covers the bundle and what it loads.
//
// What differs from running the entry directly: `require.main` is this runner (so no bundled module's
// `if (require.main === module)` block runs), and a `require.resolve('./x')` relative to the entry resolves from the
// bundle's folder. Entries run this way must not rely on either; main.ts does not.
require('./ts-loader');
const fs = require('fs');
const path = require('path');
const { cacheKey, version } = require('./transpile');

const root = path.join(__dirname, '..');
const entry = path.resolve(process.argv[2] ?? '');
if (!process.argv[2] || !fs.existsSync(entry)) {
  process.stderr.write(`usage: node scripts/run-bundled.js ENTRY.ts [ARGS...] (${process.argv[2] ? `${entry}: no such file` : 'no entry given'})\n`);
  process.exit(2);
}
const dir = path.join(root, 'node_modules', '.cache', 'bundles');
const bundle = path.join(dir, `${path.basename(entry, '.ts')}-${cacheKey(entry).slice(0, 8)}.js`);
const manifest = `${bundle}.json`;

/** What a bundle was made with: esbuild's version, this runner, and npm's record of node_modules. */
function maker() {
  let tree = 'none';
  try {
    tree = cacheKey(fs.readFileSync(path.join(root, 'node_modules', '.package-lock.json'), 'utf8'));
  } catch {}
  return `${version()} ${cacheKey(fs.readFileSync(__filename, 'utf8'))} ${tree}`;
}
function stamp(file) {
  const s = fs.statSync(file);
  return `${s.size}:${s.mtimeMs}`;
}
function fresh() {
  try {
    const m = JSON.parse(fs.readFileSync(manifest, 'utf8'));
    return fs.existsSync(bundle) && m.maker === maker() && Object.entries(m.stamps).every(([f, s]) => stamp(f) === s);
  } catch {
    return false; // no bundle yet, or an input is gone
  }
}

/** Every input, and the folders above it where an import is looked up: up to the repository (or the entry's folder). */
function watched(inputs) {
  const tops = [root, path.dirname(entry)];
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
 * first). A file that declares its own __dirname keeps it.
 */
const ownPaths = {
  name: 'own-paths',
  setup(build) {
    build.onLoad({ filter: /\.(ts|js|cjs)$/ }, (args) => {
      const source = fs.readFileSync(args.path, 'utf8');
      if (!/\b__(dirname|filename)\b/.test(source) || /\b(var|let|const)\s+__(dirname|filename)\b/.test(source)) return undefined;
      const [, head, rest] = /^((?:#!.*\n)?(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*(?:(?:'use strict'|"use strict");?)?)([\s\S]*)$/.exec(source);
      const paths = `var __dirname = ${JSON.stringify(path.dirname(args.path))}, __filename = ${JSON.stringify(args.path)};`;
      return { loader: args.path.endsWith('.ts') ? 'ts' : 'js', contents: `${head}${paths}${rest}` };
    });
  },
};

async function build() {
  const esbuild = require('esbuild');
  const started = Date.now();
  const made = maker();
  const result = await esbuild.build({
    entryPoints: [entry], bundle: true, platform: 'node', target: 'node20', format: 'cjs', write: false, metafile: true,
    logLevel: 'silent', plugins: [ownPaths], absWorkingDir: root,
    // As Node resolves (ts-loader adds .ts after .js) and transpiles (no tsconfig, as scripts/transpile.js) a direct run.
    resolveExtensions: Object.keys(require.extensions), tsconfigRaw: {},
  });
  const inputs = Object.keys(result.metafile.inputs).map((f) => path.resolve(root, f));
  const stamps = Object.fromEntries(watched(inputs).map((f) => [f, stamp(f)]));
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(`${bundle}.${process.pid}`, result.outputFiles[0].contents);
  fs.renameSync(`${bundle}.${process.pid}`, bundle);
  // An input saved while the bundle was made may not be in it: then no record, and the next run builds again.
  if (Object.keys(stamps).every((f) => fs.statSync(f).mtimeMs < started)) {
    fs.writeFileSync(`${manifest}.${process.pid}`, JSON.stringify({ maker: made, stamps }));
    fs.renameSync(`${manifest}.${process.pid}`, manifest);
  }
}

// The entry runs outside any promise, so that what it throws is an uncaught exception, as run directly.
const run = () => {
  process.argv.splice(1, 2, entry);
  require(bundle);
};
if (fresh()) run();
else {
  build().then(() => process.nextTick(run), (e) => {
    process.stderr.write(`run-bundled: could not bundle ${entry}: ${e.message}\n`);
    process.exitCode = 1;
  });
}
