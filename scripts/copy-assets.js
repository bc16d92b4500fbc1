// Copies the JSON schemas the compiled checks read at runtime next to the compiled code (tsc copies only .ts output).
const fs = require('fs');
for (const dir of ['imports/schemas', 'lib/policy/schemas']) fs.cpSync(dir, `build/${dir}`, { recursive: true });
