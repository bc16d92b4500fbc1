// Copies the generated JavaScript tsc does not compile next to the compiled code: the typed CRD classes and the
// ahead-of-time validators of imports/ (scripts/import-crds.sh made them).
// `--clean` (before tsc) empties build/ first, so nothing a source no longer makes is packed.
const fs = require('fs');
if (process.argv[2] === '--clean') {
  fs.rmSync('build', { recursive: true, force: true });
  process.exit(0);
}
fs.mkdirSync('build/imports', { recursive: true });
for (const f of fs.readdirSync('imports')) if (f.endsWith('.js')) fs.copyFileSync(`imports/${f}`, `build/imports/${f}`);
fs.cpSync('imports/validators', 'build/imports/validators', { recursive: true });
