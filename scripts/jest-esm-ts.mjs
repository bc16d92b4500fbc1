// Node's module hook for jest's import() of a test file (scripts/jest-setup.js): a .ts file is CommonJS, loaded by
// Node's CommonJS loader (a nullish source means that) and so by the .ts hook of scripts/ts-loader.js.
export async function load(url, context, next) {
  if (url.startsWith('file:') && /\.ts(\?|$)/.test(url)) return { format: 'commonjs', shortCircuit: true };
  return next(url, context);
}
