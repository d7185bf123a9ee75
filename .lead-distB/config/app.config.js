"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.appConfig = exports.LOG_LEVELS = void 0;
exports.loadAppConfig = loadAppConfig;
const config_1 = require("@nestjs/config");
const config_error_1 = require("./config-error");
const env_1 = require("./env");
exports.LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
function loadAppConfig(env) {
    const corsOrigins = ((0, env_1.readOptional)(env, 'CORS_ORIGINS') ?? '')
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean);
    for (const origin of corsOrigins) {
        if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
            throw new config_error_1.ConfigError('CORS_ORIGINS', `"${origin}" is not an origin like https://app.example.com`);
        }
    }
    return {
        nodeEnv: env.NODE_ENV,
        production: (0, env_1.isProduction)(env),
        port: (0, env_1.readInt)(env, 'PORT', 3000, 0, 65535),
        logLevel: (0, env_1.readEnum)(env, 'LOG_LEVEL', 'info', exports.LOG_LEVELS),
        trustProxy: (0, env_1.readTrustProxy)(env),
        corsOrigins,
        bodyLimit: 102_400,
        shutdownTimeoutMs: (0, env_1.readDuration)(env, 'SHUTDOWN_TIMEOUT', '10s', { max: 300 }) * 1000,
        metricsPublic: (0, env_1.readBoolean)(env, 'METRICS_PUBLIC', false),
    };
}
exports.appConfig = (0, config_1.registerAs)('app', () => loadAppConfig(process.env));
//# sourceMappingURL=app.config.js.map