"use strict";
module.exports = require("./../v1/ReferenceGrant.js");
