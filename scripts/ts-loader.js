// Runs this repository's TypeScript directly (`node --require ./scripts/ts-loader.js main.ts`): each .ts file is
// transpiled once with esbuild (types stripped, CommonJS, no type-check: `npm test` type-checks) and cached by content
// in node_modules/.cache/ts-loader, then loaded as plain CommonJS. No ESM loader thread and no source-map machinery,
// which is what makes a synth start in a fraction of tsx's time (measured by npm run bench).
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const cache = path.join(__dirname, '..', 'node_modules', '.cache', 'ts-loader');
let esbuild;

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const cached = path.join(cache, `${crypto.createHash('sha1').update(filename).update('\0').update(source).digest('hex')}.js`);
  let code;
  try {
    code = fs.readFileSync(cached, 'utf8');
  } catch {
    esbuild ??= require('esbuild');
    code = esbuild.transformSync(source, { loader: 'ts', format: 'cjs', platform: 'node', target: 'node20', sourcefile: filename }).code;
    fs.mkdirSync(cache, { recursive: true });
    fs.writeFileSync(`${cached}.${process.pid}`, code);
    fs.renameSync(`${cached}.${process.pid}`, cached);
  }
  module._compile(code, filename);
};
