"use strict";
module.exports = require("./ClusterIssuer.js");
