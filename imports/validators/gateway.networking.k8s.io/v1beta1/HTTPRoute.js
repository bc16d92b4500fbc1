"use strict";
module.exports = require("./../v1/HTTPRoute.js");
