"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.rateLimitConfig = exports.DEFAULT_AUTH_RATE_LIMIT = void 0;
exports.parseRateLimit = parseRateLimit;
exports.parseRedisUrl = parseRedisUrl;
exports.loadRateLimitConfig = loadRateLimitConfig;
const config_1 = require("@nestjs/config");
const config_error_1 = require("./config-error");
const duration_1 = require("./duration");
const env_1 = require("./env");
exports.DEFAULT_AUTH_RATE_LIMIT = '10/60s';
const MAX_LIMIT = 1_000_000;
const MAX_WINDOW_SECONDS = 86_400;
function parseRateLimit(raw) {
    const fail = (problem) => new config_error_1.ConfigError('AUTH_RATE_LIMIT', `"${raw}" ${problem}`);
    const match = /^\s*(\d+)\s*\/\s*(\S+)\s*$/.exec(raw);
    if (!match)
        throw fail('is not N/window (e.g. 10/60s or 5/15m)');
    const limit = Number(match[1]);
    if (limit < 1 || limit > MAX_LIMIT)
        throw fail(`needs N from 1 to ${MAX_LIMIT}`);
    const seconds = (0, duration_1.parseDuration)(match[2]);
    if (seconds === null)
        throw fail('has no valid window (use 90s, 15m, 12h, 1d or seconds)');
    if (seconds < 1 || seconds > MAX_WINDOW_SECONDS) {
        throw fail(`needs a window from 1s to ${MAX_WINDOW_SECONDS}s (1d)`);
    }
    return { limit, windowMs: seconds * 1000 };
}
function parseRedisUrl(raw) {
    const fail = (problem) => new config_error_1.ConfigError('REDIS_URL', problem);
    let url;
    try {
        url = new URL(raw);
    }
    catch {
        throw fail('is not a valid URL (redis://host:6379)');
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
        throw fail(`unsupported scheme "${url.protocol}" (use redis:// or rediss://)`);
    }
    if (!url.hostname)
        throw fail('has no host (redis://host:6379)');
    if (!/^(\/\d*)?$/.test(url.pathname)) {
        throw fail('path must be a database number, e.g. redis://host:6379/0');
    }
    return raw;
}
function loadRateLimitConfig(env) {
    const redisUrl = (0, env_1.readOptional)(env, 'REDIS_URL');
    return {
        ...parseRateLimit((0, env_1.readOptional)(env, 'AUTH_RATE_LIMIT') ?? exports.DEFAULT_AUTH_RATE_LIMIT),
        ...(redisUrl !== undefined && { redisUrl: parseRedisUrl(redisUrl) }),
    };
}
exports.rateLimitConfig = (0, config_1.registerAs)('rateLimit', () => loadRateLimitConfig(process.env));
//# sourceMappingURL=rate-limit.config.js.map