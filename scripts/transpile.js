// The one TypeScript transpile of this repository's own code: esbuild strips the types and emits CommonJS (no
// type-check: `npm test` type-checks beside the tests with `tsc -b`). scripts/ts-loader.js runs the commands and the
// tests (scripts/jest-setup.js) with it, so a command and a test run the same JavaScript.
const crypto = require('crypto');
const zlib = require('zlib');
let esbuild;
const OPTIONS = { loader: 'ts', format: 'cjs', platform: 'node', target: 'node20' };

/** `sourcemap`: also return the source map (with source maps on, a stack trace names the .ts line). */
function transpile(source, filename, sourcemap = false) {
  esbuild ??= require('esbuild');
  return esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename, ...(sourcemap ? { sourcemap: 'external' } : {}) });
}

/** What the output depends on besides the source: the esbuild version and these options. */
const version = () => `${require('esbuild/package.json').version} ${JSON.stringify(OPTIONS)}`;

/**
 * The key of a cache entry made from some texts (file name, source...): CRC-32 and length, as Node's own compile cache
 * keys a module's source (src/compile_cache.cc) — a synth keys ~10 MB of modules, and SHA-1 of them cost ~15 ms.
 * SHA-1 where zlib.crc32 is missing (Node before 20.15).
 */
function cacheKey(...parts) {
  if (!zlib.crc32) return parts.reduce((h, p) => h.update(p).update('\0'), crypto.createHash('sha1')).digest('hex');
  let crc = 0;
  let length = 0;
  for (const p of parts) {
    crc = zlib.crc32('\0', zlib.crc32(p, crc));
    length += p.length + 1;
  }
  return `${crc.toString(16).padStart(8, '0')}-${length.toString(16)}`;
}

module.exports = { cacheKey, transpile, version };
