// Runs one of this repository's TypeScript entry points as a single esbuild bundle of it and everything it imports
// (scripts/bundle.js): `node scripts/run-bundled.js main.ts [args]` (npm run synth when no startup snapshot is ready,
// scripts/synth.sh). A module required by a computed path loads from where it is. The V8 code cache of
// scripts/ts-loader.js covers the bundle and what it loads.
//
// What differs from running the entry directly: `require.main` is this runner (so no bundled module's
// `if (require.main === module)` block runs), and a `require.resolve('./x')` relative to the entry resolves from the
// bundle's folder. Entries run this way must not rely on either; main.ts does not.
require('./ts-loader');
const fs = require('fs');
const path = require('path');
const { bundle, bundleOf, freshRecord } = require('./bundle');

const entry = path.resolve(process.argv[2] ?? '');
if (!process.argv[2] || !fs.existsSync(entry)) {
  process.stderr.write(`usage: node scripts/run-bundled.js ENTRY.ts [ARGS...] (${process.argv[2] ? `${entry}: no such file` : 'no entry given'})\n`);
  process.exit(2);
}
// The entry runs outside any promise, so that what it throws is an uncaught exception, as run directly.
const run = (file) => {
  process.argv.splice(1, 2, entry);
  require(file);
};
if (freshRecord(bundleOf(entry))) run(bundleOf(entry));
else {
  bundle(entry).then((file) => process.nextTick(run, file), (e) => {
    process.stderr.write(`run-bundled: could not bundle ${entry}: ${e.message}\n`);
    process.exitCode = 1;
  });
}
