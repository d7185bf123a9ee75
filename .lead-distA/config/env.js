"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.MAX_DURATION_SECONDS = void 0;
exports.isProduction = isProduction;
exports.readOptional = readOptional;
exports.readDuration = readDuration;
exports.readInt = readInt;
exports.readEnum = readEnum;
exports.readBoolean = readBoolean;
exports.readTrustProxy = readTrustProxy;
const node_net_1 = require("node:net");
const config_error_1 = require("./config-error");
const duration_1 = require("./duration");
function isProduction(env) {
    return env.NODE_ENV === 'production';
}
function readOptional(env, name) {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
}
exports.MAX_DURATION_SECONDS = 10 * 365 * 86400;
function readDuration(env, name, fallback, opts = {}) {
    const raw = readOptional(env, name) ?? fallback;
    const seconds = (0, duration_1.parseDuration)(raw);
    if (seconds === null) {
        throw new config_error_1.ConfigError(name, `"${raw}" is not a duration (use 90s, 15m, 12h, 7d or seconds)`);
    }
    if (seconds === 0 && !opts.allowZero) {
        throw new config_error_1.ConfigError(name, 'must be longer than 0');
    }
    const max = opts.max ?? exports.MAX_DURATION_SECONDS;
    if (seconds > max)
        throw new config_error_1.ConfigError(name, `"${raw}" is longer than the maximum of ${max} s`);
    return seconds;
}
function readInt(env, name, fallback, min, max) {
    const raw = readOptional(env, name);
    if (raw === undefined)
        return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
        throw new config_error_1.ConfigError(name, `"${raw}" must be a whole number from ${min} to ${max}`);
    }
    return Number(raw);
}
function readEnum(env, name, fallback, allowed) {
    const raw = readOptional(env, name) ?? fallback;
    if (!allowed.includes(raw)) {
        throw new config_error_1.ConfigError(name, `"${raw}" must be one of ${allowed.join(', ')}`);
    }
    return raw;
}
function readBoolean(env, name, fallback) {
    const raw = readOptional(env, name);
    if (raw === undefined)
        return fallback;
    const value = raw.toLowerCase();
    if (value !== 'true' && value !== 'false') {
        throw new config_error_1.ConfigError(name, `"${raw}" must be true or false`);
    }
    return value === 'true';
}
function readTrustProxy(env) {
    const raw = readOptional(env, 'TRUST_PROXY');
    if (raw === undefined)
        return false;
    if (/^\d+$/.test(raw))
        return Number(raw);
    const entries = raw.split(',').map((entry) => entry.trim());
    for (const entry of entries) {
        const [address, bits, extra] = entry.split('/');
        const family = (0, node_net_1.isIP)(address);
        const maxBits = family === 6 ? 128 : 32;
        const badBits = bits !== undefined && (!/^\d+$/.test(bits) || Number(bits) > maxBits);
        if (!family || badBits || extra !== undefined) {
            throw new config_error_1.ConfigError('TRUST_PROXY', `"${entry}" is neither a hop count nor an IP/CIDR`);
        }
    }
    return entries;
}
//# sourceMappingURL=env.js.map