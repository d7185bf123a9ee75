"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __exportStar = (this && this.__exportStar) || function(m, exports) {
    for (var p in m) if (p !== "default" && !Object.prototype.hasOwnProperty.call(exports, p)) __createBinding(exports, m, p);
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.configNamespaces = void 0;
exports.validateEnvironment = validateEnvironment;
const app_config_1 = require("./app.config");
const auth_config_1 = require("./auth.config");
const database_config_1 = require("./database.config");
const rate_limit_config_1 = require("./rate-limit.config");
__exportStar(require("./app.config"), exports);
__exportStar(require("./auth.config"), exports);
__exportStar(require("./config-error"), exports);
__exportStar(require("./database.config"), exports);
__exportStar(require("./rate-limit.config"), exports);
exports.configNamespaces = [app_config_1.appConfig, auth_config_1.authConfig, database_config_1.databaseConfig, rate_limit_config_1.rateLimitConfig];
function validateEnvironment() {
    (0, app_config_1.loadAppConfig)(process.env);
    (0, auth_config_1.loadAuthConfig)(process.env);
    (0, database_config_1.loadDatabaseConfig)(process.env);
    (0, rate_limit_config_1.loadRateLimitConfig)(process.env);
}
//# sourceMappingURL=index.js.map