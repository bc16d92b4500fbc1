// Runs one of this repository's TypeScript entry points as a single esbuild bundle of it and everything it imports,
// node_modules included: `node scripts/run-bundled.js main.ts [args]` (npm run synth). Loading ~270 modules one by one
// costs a synth more than the code in them (resolving each request, reading package.json files, a compile each); one
// bundle is one read and one compile. The bundle is kept in node_modules/.cache/bundles and rebuilt when any of its
// inputs changed (size or modification time; and for node_modules, whose files npm writes with one fixed time, when
// npm's record of the installed tree did). Modules loaded by a computed path (the validators) stay outside the bundle
// and load from where they are; each bundled file keeps its own __dirname. The V8 code cache of scripts/ts-loader.js
// covers the bundle and what it loads.
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

/** What a bundle was made from: esbuild's version, npm's record of node_modules, and each input's size and time. */
function stamp(file) {
  const s = fs.statSync(file);
  return `${s.size}:${s.mtimeMs}`;
}
function tree() {
  try {
    return cacheKey(fs.readFileSync(path.join(root, 'node_modules', '.package-lock.json'), 'utf8'));
  } catch {
    return 'none';
  }
}
function fresh() {
  try {
    const m = JSON.parse(fs.readFileSync(manifest, 'utf8'));
    return m.version === version() && m.tree === tree() && Object.entries(m.inputs).every(([f, s]) => stamp(f) === s);
  } catch {
    return false; // no bundle yet, or an input is gone
  }
}

/**
 * esbuild leaves __dirname and __filename to the bundle's: each file that uses them (ours, and cdk8s's, which finds a
 * helper script beside itself) gets its own back, after its hashbang and "use strict" (which must stay first).
 */
const ownPaths = {
  name: 'own-paths',
  setup(build) {
    build.onLoad({ filter: /\.(ts|js|cjs)$/ }, (args) => {
      const source = fs.readFileSync(args.path, 'utf8');
      if (!/\b__(dirname|filename)\b/.test(source)) return undefined;
      const [, head, rest] = /^((?:#!.*\n)?(?:\s*(?:'use strict'|"use strict");?)?)([\s\S]*)$/.exec(source);
      const paths = `var __dirname = ${JSON.stringify(path.dirname(args.path))}, __filename = ${JSON.stringify(args.path)};`;
      return { loader: args.path.endsWith('.ts') ? 'ts' : 'js', contents: `${head}${paths}${rest}` };
    });
  },
};

async function build() {
  const esbuild = require('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: bundle,
    metafile: true, logLevel: 'error', plugins: [ownPaths], absWorkingDir: root,
  });
  const inputs = Object.fromEntries(Object.keys(result.metafile.inputs).map((f) => path.resolve(root, f)).map((f) => [f, stamp(f)]));
  fs.writeFileSync(`${manifest}.${process.pid}`, JSON.stringify({ version: version(), tree: tree(), inputs }));
  fs.renameSync(`${manifest}.${process.pid}`, manifest);
}

(async () => {
  if (!fresh()) await build();
  // The entry sees what it would see run directly (node ENTRY.ts [args]): its command line, and itself as require.main.
  process.argv.splice(1, 2, entry);
  require('module')._load(bundle, null, true);
})().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exitCode = 1;
});
