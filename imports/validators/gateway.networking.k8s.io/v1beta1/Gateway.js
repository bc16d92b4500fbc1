"use strict";
module.exports = require("./../v1/Gateway.js");
