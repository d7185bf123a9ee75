"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.authConfig = void 0;
exports.loadAuthConfig = loadAuthConfig;
const config_1 = require("@nestjs/config");
const node_os_1 = require("node:os");
const config_error_1 = require("./config-error");
const dev_secrets_1 = require("./dev-secrets");
const env_1 = require("./env");
const MIN_SECRET_BYTES = 32;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
function readSecrets(env) {
    const access = (0, env_1.readOptional)(env, 'JWT_ACCESS_SECRET');
    const refresh = (0, env_1.readOptional)(env, 'JWT_REFRESH_SECRET');
    const production = (0, env_1.isProduction)(env);
    if (production && !access)
        throw new config_error_1.ConfigError('JWT_ACCESS_SECRET', 'is required in production');
    if (production && !refresh) {
        throw new config_error_1.ConfigError('JWT_REFRESH_SECRET', 'is required in production');
    }
    const secrets = access && refresh
        ? { accessSecret: access, refreshSecret: refresh }
        : {
            ...(0, dev_secrets_1.loadOrCreateDevSecrets)(),
            ...(access && { accessSecret: access }),
            ...(refresh && { refreshSecret: refresh }),
        };
    for (const [name, value] of [
        ['JWT_ACCESS_SECRET', secrets.accessSecret],
        ['JWT_REFRESH_SECRET', secrets.refreshSecret],
    ]) {
        if (Buffer.byteLength(value, 'utf8') < MIN_SECRET_BYTES) {
            throw new config_error_1.ConfigError(name, `must be at least ${MIN_SECRET_BYTES} bytes long`);
        }
    }
    if (secrets.accessSecret === secrets.refreshSecret) {
        throw new config_error_1.ConfigError('JWT_REFRESH_SECRET', 'must differ from JWT_ACCESS_SECRET');
    }
    return { ...secrets, generatedSecrets: !(access && refresh) };
}
function readAdmin(env) {
    const email = (0, env_1.readOptional)(env, 'ADMIN_EMAIL')?.normalize('NFC').toLowerCase();
    const password = env.ADMIN_PASSWORD;
    if (!email || !password)
        return {};
    if (!EMAIL_PATTERN.test(email))
        throw new config_error_1.ConfigError('ADMIN_EMAIL', 'is not an email address');
    const bytes = Buffer.byteLength(password, 'utf8');
    if (bytes < 8 || bytes > 72) {
        throw new config_error_1.ConfigError('ADMIN_PASSWORD', 'must be 8 to 72 UTF-8 bytes long');
    }
    return { adminEmail: email, adminPassword: password };
}
function readBcryptPool(env, cost) {
    const bcryptWorkers = (0, env_1.readInt)(env, 'BCRYPT_WORKERS', Math.min((0, node_os_1.availableParallelism)(), 64), 1, 64);
    const perWorker = Math.min(1000, Math.max(4, Math.round(20 * 2 ** (11 - cost))));
    const bcryptQueueLimit = (0, env_1.readInt)(env, 'BCRYPT_QUEUE_LIMIT', bcryptWorkers * perWorker, 1, 100_000);
    return { bcryptWorkers, bcryptQueueLimit };
}
function loadAuthConfig(env) {
    const bcryptCost = (0, env_1.readInt)(env, 'BCRYPT_COST', 11, 4, 15);
    return {
        ...readSecrets(env),
        issuer: 'nest-auth-service',
        audience: 'nest-auth-service',
        accessTtl: (0, env_1.readDuration)(env, 'ACCESS_TOKEN_TTL', '15m'),
        refreshTtl: (0, env_1.readDuration)(env, 'REFRESH_TOKEN_TTL', '7d'),
        sessionMaxTtl: (0, env_1.readDuration)(env, 'SESSION_MAX_TTL', '30d'),
        reuseGrace: (0, env_1.readDuration)(env, 'REFRESH_REUSE_GRACE', '10s', { allowZero: true, max: 300 }),
        bcryptCost,
        ...readBcryptPool(env, bcryptCost),
        secureCookie: (0, env_1.isProduction)(env),
        tokenPurgeInterval: (0, env_1.readDuration)(env, 'TOKEN_PURGE_INTERVAL', '1h', {
            allowZero: true,
            max: 7 * 86400,
        }),
        tokenPurgeBatch: (0, env_1.readInt)(env, 'TOKEN_PURGE_BATCH', 1000, 1, 10_000),
        ...readAdmin(env),
    };
}
exports.authConfig = (0, config_1.registerAs)('auth', () => loadAuthConfig(process.env));
//# sourceMappingURL=auth.config.js.map