// Copies the ahead-of-time validators (generated JavaScript, not compiled by tsc) next to the compiled code.
const fs = require('fs');
fs.cpSync('imports/validators', 'build/imports/validators', { recursive: true });
