// jest's globalTeardown: see scripts/jest-global.js.
module.exports = require('./jest-global').teardown;
