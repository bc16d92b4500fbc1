// The one TypeScript transpile of this repository's own code: esbuild strips the types and emits CommonJS (no
// type-check: `npm test` type-checks first with `tsc -b`). scripts/ts-loader.js runs the commands with it and
// scripts/jest-transform.js the tests, so a command and a test run the same JavaScript.
let esbuild;
const OPTIONS = { loader: 'ts', format: 'cjs', platform: 'node', target: 'node20' };

/** `sourcemap`: also return the source map (jest maps failing lines back with it; the commands do without). */
function transpile(source, filename, sourcemap = false) {
  esbuild ??= require('esbuild');
  return esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename, ...(sourcemap ? { sourcemap: 'external' } : {}) });
}

/** What the output depends on besides the source: the esbuild version and these options. */
const version = () => `${require('esbuild/package.json').version} ${JSON.stringify(OPTIONS)}`;

module.exports = { transpile, version };
