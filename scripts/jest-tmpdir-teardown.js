// jest's globalTeardown: see scripts/jest-tmpdir.js.
module.exports = require('./jest-tmpdir').teardown;
