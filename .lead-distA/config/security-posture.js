"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.MIN_QUIET_BCRYPT_COST = exports.MAX_QUIET_REUSE_GRACE = void 0;
exports.formatSeconds = formatSeconds;
exports.securityPosture = securityPosture;
const dev_secrets_1 = require("./dev-secrets");
exports.MAX_QUIET_REUSE_GRACE = 60;
exports.MIN_QUIET_BCRYPT_COST = 10;
function formatSeconds(seconds) {
    for (const [unit, size] of [
        ['d', 86400],
        ['h', 3600],
        ['m', 60],
    ]) {
        if (seconds > 0 && seconds % size === 0)
            return `${seconds / size}${unit}`;
    }
    return `${seconds}s`;
}
function describeDatabase(database) {
    if (database.type === 'mysql') {
        return `mysql ${database.host}:${database.port}/${database.database}`;
    }
    return database.database === ':memory:' ? 'sqlite in memory' : `sqlite ${database.database}`;
}
function describeRateLimit(rateLimit) {
    if (!rateLimit)
        return 'not configured';
    const window = formatSeconds(Math.round(rateLimit.windowMs / 1000));
    let storage = 'counted in memory (per instance)';
    if (rateLimit.redisUrl) {
        const url = new URL(rateLimit.redisUrl);
        storage = `counted in redis ${url.protocol}//${url.host}`;
    }
    return `AUTH_RATE_LIMIT ${rateLimit.limit}/${window}, ${storage}`;
}
function describeTrustProxy(trustProxy) {
    if (trustProxy === false)
        return "off (client IP is the socket's)";
    if (typeof trustProxy === 'number')
        return `${trustProxy} hop${trustProxy === 1 ? '' : 's'}`;
    return trustProxy.join(', ');
}
function securityPosture({ app, auth, database, rateLimit, }) {
    const lines = [
        `NODE_ENV: ${app.nodeEnv ?? '(unset)'}${app.production ? '' : ' (development settings)'}`,
        `database: ${describeDatabase(database)}`,
        `tokens: access ${formatSeconds(auth.accessTtl)}, refresh ${formatSeconds(auth.refreshTtl)} ` +
            `idle, session ${formatSeconds(auth.sessionMaxTtl)} absolute, ` +
            `reuse grace ${formatSeconds(auth.reuseGrace)}`,
        `bcrypt cost: ${auth.bcryptCost}`,
        `rate limit: ${describeRateLimit(rateLimit)}`,
        `TRUST_PROXY: ${describeTrustProxy(app.trustProxy)}`,
        `CORS: ${app.corsOrigins.length ? app.corsOrigins.join(', ') : 'off (no cross-origin access)'}`,
        `refresh cookie: HttpOnly; SameSite=Strict; Path=/api/auth; ` +
            `${auth.secureCookie ? 'Secure' : 'not Secure (plain HTTP allowed)'}`,
        `JWT secrets: ${auth.generatedSecrets ? `generated, kept in ${dev_secrets_1.DEV_SECRETS_FILE}` : 'from the environment'}`,
    ];
    const warnings = [];
    if (auth.generatedSecrets) {
        warnings.push(`JWT secrets were generated into ${dev_secrets_1.DEV_SECRETS_FILE}: set JWT_ACCESS_SECRET and ` +
            'JWT_REFRESH_SECRET for any shared or deployed server');
    }
    if (app.production && database.type === 'sqlite') {
        warnings.push('SQLite in production: one instance only, data on local disk; use DATABASE_URL=mysql://…');
    }
    if (auth.reuseGrace > exports.MAX_QUIET_REUSE_GRACE) {
        warnings.push(`REFRESH_REUSE_GRACE is ${formatSeconds(auth.reuseGrace)}: a stolen, already-rotated ` +
            `refresh token stays usable that long; keep it at ${exports.MAX_QUIET_REUSE_GRACE}s or less`);
    }
    if (auth.bcryptCost < exports.MIN_QUIET_BCRYPT_COST) {
        warnings.push(`BCRYPT_COST is ${auth.bcryptCost}: stolen hashes are cheap to crack; ` +
            `use ${exports.MIN_QUIET_BCRYPT_COST} or more`);
    }
    if (!rateLimit)
        warnings.push('no rate-limit configuration found: auth routes are unthrottled');
    const plainOrigins = app.corsOrigins.filter((origin) => origin.startsWith('http://'));
    if (app.production && plainOrigins.length) {
        warnings.push(`CORS_ORIGINS allows plain-HTTP origins in production (${plainOrigins.join(', ')}): ` +
            'anyone on their network can act with the credentials CORS grants them');
    }
    const everyone = Array.isArray(app.trustProxy)
        ? app.trustProxy.filter((entry) => /\/0$/.test(entry))
        : [];
    if (everyone.length) {
        warnings.push(`TRUST_PROXY trusts every address (${everyone.join(', ')}): any client can forge ` +
            'X-Forwarded-For and so its IP for rate limits and sessions; list the proxies instead');
    }
    return { lines, warnings };
}
//# sourceMappingURL=security-posture.js.map