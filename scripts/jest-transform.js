// jest's transform for TypeScript: scripts/transpile.js (esbuild), as the commands use. It replaced ts-jest, which
// loaded the TypeScript compiler in every worker (~0.4 s each) to do the same type-stripping.
const crypto = require('crypto');
const fs = require('fs');
const { transpile, version } = require('./transpile');

const self = fs.readFileSync(__filename, 'utf8') + fs.readFileSync(require.resolve('./transpile'), 'utf8');

module.exports = {
  process(source, filename) {
    const { code, map } = transpile(source, filename, true);
    return { code, map };
  },
  // Jest keeps what it stores by this key alone, instrumented for coverage or not: both are in it, as in babel-jest.
  getCacheKey(source, filename, { configString, instrument }) {
    return crypto.createHash('sha1').update(source).update('\0').update(filename).update('\0').update(version()).update('\0').update(self)
      .update('\0').update(configString).update('\0').update(instrument ? 'instrument' : '').digest('hex');
  },
};
