"use strict";
module.exports = require("./../v1/GatewayClass.js");
