// Runs this repository's TypeScript directly (`node --require ./scripts/ts-loader.js main.ts`): each .ts file is
// transpiled once (scripts/transpile.js: esbuild, types stripped, CommonJS, no type-check) and cached by content
// in node_modules/.cache/ts-loader, then loaded as plain CommonJS. No ESM loader thread and no source-map machinery,
// which is what makes a synth start in a fraction of tsx's time (measured by npm run bench).
//
// Every CommonJS module (ours and node_modules') is also compiled through V8's code cache, kept next to the transpiled
// files: Node 22's module.enableCompileCache() where it exists, else (Node 20) the same by hand: the cache of a module
// is written when the process exits, so it holds every function that ran (not only the top level), and a later run
// neither parses nor compiles them again. A cache V8 rejects (changed source or flags) is replaced;
// CDK8S_TLS_NO_CODE_CACHE=1 turns it off.
const fs = require('fs');
const Module = require('module');
const path = require('path');
const vm = require('vm');

const cache = path.join(__dirname, '..', 'node_modules', '.cache', 'ts-loader');
// Written whole under a name of its own, then renamed: per process and thread (the tests' worker threads share a pid
// and transpile the same files at once).
const write = (file, data) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${require('worker_threads').threadId}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
};
const { cacheKey: key, transpile, version } = require('./transpile');
// The transpiled TypeScript (a few small files) by SHA-1: a stale entry would run old code with nothing else to notice.
const digest = (...parts) => parts.reduce((h, p) => h.update(p).update('\0'), require('crypto').createHash('sha1')).digest('hex');
const TRANSPILER = version();
// With source maps on (`node --enable-source-maps`, or the tests: scripts/jest-setup.js) each file carries its map, so a
// stack trace names the line of the .ts file.
const MAPS = process.sourceMapsEnabled === true;

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const cached = path.join(cache, `${digest(filename, source, TRANSPILER, MAPS ? 'map' : '')}.js`);
  let code;
  try {
    code = fs.readFileSync(cached, 'utf8');
  } catch {
    const out = transpile(source, filename, MAPS);
    code = MAPS ? `${out.code}//# sourceMappingURL=data:application/json;base64,${Buffer.from(out.map).toString('base64')}\n` : out.code;
    write(cached, code);
  }
  module._compile(code, filename);
};

// V8 rejects a cache made under other flags (--max-old-space-size among them): one folder per Node version and flags.
// Not --require: Node's own option, not V8's, and its module path can be new every run (a test's hook in a temporary
// folder), which made a new folder of caches each time.
const v8flags = process.execArgv.filter((a, i, all) => !/^(--require|-r)(=|$)/.test(a) && !/^(--require|-r)$/.test(all[i - 1] ?? ''));
const v8cache = path.join(cache, 'v8', `${process.version}-${process.arch}-${key(...v8flags).slice(0, 8)}`);
if (process.env.CDK8S_TLS_NO_CODE_CACHE) {
  // off
} else if (Module.enableCompileCache) {
  Module.enableCompileCache(v8cache);
} else {
  const pending = []; // scripts whose cache is missing or was rejected: written at exit
  const compile = Module.prototype._compile;
  Module.prototype._compile = function (content, filename) {
    // Node reads a module's source map in its own compile only.
    if (MAPS && filename.endsWith('.ts')) return compile.call(this, content, filename);
    // Named by file, then content: a file's older caches are found by name and replaced, not left behind.
    const file = path.join(v8cache, `${key(filename)}.${key(content)}.bin`);
    let cachedData;
    try {
      cachedData = fs.readFileSync(file);
    } catch {
      // A vm.Script has no import() callback once it comes from cached data: those few modules compile as usual (a
      // module with a cache was compiled here before, so only one without is searched for import()).
      if (/\bimport\s*\(/.test(content)) return compile.call(this, content, filename);
    }
    // Module.wrap puts the source inside a function, where a hashbang line is no comment: blank it, as Node does.
    const script = new vm.Script(Module.wrap(content.startsWith('#!') ? `//${content.slice(2)}` : content), { filename, cachedData });
    if (!cachedData || script.cachedDataRejected) pending.push([file, script]);
    const mod = this;
    const req = (id) => mod.require(id);
    req.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
    req.resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
    req.main = process.mainModule;
    req.extensions = Module._extensions;
    req.cache = Module._cache;
    return script.runInThisContext({ displayErrors: true }).call(mod.exports, mod.exports, req, mod, filename, path.dirname(filename));
  };
  process.once('exit', () => {
    let names;
    for (const [file, script] of pending) {
      try {
        write(file, script.createCachedData());
        const prefix = `${path.basename(file).split('.')[0]}.`;
        for (const old of (names ??= fs.readdirSync(v8cache))) {
          if (old.startsWith(prefix) && old !== path.basename(file) && old.endsWith('.bin')) fs.rmSync(path.join(v8cache, old), { force: true });
        }
      } catch {}
    }
  });
}
