// Copies the generated JavaScript tsc does not compile next to the compiled code: the typed CRD classes and the
// ahead-of-time validators of imports/ (scripts/import-crds.sh made them).
const fs = require('fs');
fs.mkdirSync('build/imports', { recursive: true });
for (const f of fs.readdirSync('imports')) if (f.endsWith('.js')) fs.copyFileSync(`imports/${f}`, `build/imports/${f}`);
fs.cpSync('imports/validators', 'build/imports/validators', { recursive: true });
