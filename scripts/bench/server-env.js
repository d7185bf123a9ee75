// The environment every benchmark starts the built server with: production settings, fixed
// secrets (so runs compare), rate limits that never throttle a load, and `extra` on top.

/** `cost`: BCRYPT_COST (the bench's --cost; 4 where only the setup logs in). */
function benchServerEnv(cost, extra = {}) {
  return {
    NODE_ENV: 'production',
    JWT_ACCESS_SECRET: 'bench-access-secret-0123456789abcdefghijklmnopq',
    JWT_REFRESH_SECRET: 'bench-refresh-secret-0123456789abcdefghijklmnop',
    // Production refuses to start without it (it seals TOTP secrets).
    DATA_ENCRYPTION_KEY: '2d'.repeat(32),
    LOG_LEVEL: 'warn',
    // Rate limits must never throttle the bench (1,000,000 is the largest N accepted).
    AUTH_RATE_LIMIT: '1000000/1s',
    BCRYPT_COST: String(cost),
    ...extra,
  };
}

module.exports = { benchServerEnv };
