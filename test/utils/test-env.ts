/** Secrets and settings every test app starts with; tests may override any of them. */
export const TEST_ACCESS_SECRET = 'test-access-secret-0123456789-abcdefghijklmnop';
export const TEST_REFRESH_SECRET = 'test-refresh-secret-0123456789-abcdefghijklmnop';

/** 32 bytes in hex: seals the signing keys when a test sets an asymmetric JWT_ALG. */
export const TEST_KEY_ENCRYPTION_KEY = '0f'.repeat(32);

/** 32 bytes in hex: seals TOTP secrets. */
export const TEST_DATA_ENCRYPTION_KEY = '1e'.repeat(32);

export const BASE_TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  JWT_ACCESS_SECRET: TEST_ACCESS_SECRET,
  JWT_REFRESH_SECRET: TEST_REFRESH_SECRET,
  KEY_ENCRYPTION_KEY: TEST_KEY_ENCRYPTION_KEY,
  DATA_ENCRYPTION_KEY: TEST_DATA_ENCRYPTION_KEY,
  JWT_ALG: 'HS256',
  ACCESS_TOKEN_TTL: '15m',
  REFRESH_TOKEN_TTL: '7d',
  SESSION_MAX_TTL: '30d',
  REFRESH_REUSE_GRACE: '10s',
  BCRYPT_COST: '4',
  ADMIN_EMAIL: 'admin@example.com',
  ADMIN_PASSWORD: 'admin-password-123',
  // Test files log in far more often than a user would; rate-limit tests set their own.
  AUTH_RATE_LIMIT: '100000/60s',
  MAIL_RATE_LIMIT: '100000/60s',
  // In-memory counts unless a test points at its own Redis; never a developer's REDIS_URL.
  REDIS_URL: '',
  // No SMTP_URL: mails go to .eml files, here under test-output/, never into the repo's data/.
  SMTP_URL: '',
  MAIL_OUTBOX_DIR: 'test-output/outbox',
};

/**
 * The database under test: `TEST_DATABASE_URL` (CI sets a MariaDB one), else a fresh
 * in-memory SQLite per app. Never `DATABASE_URL`, so a developer's own database is safe.
 */
export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL || 'sqlite::memory:';
}

export function isMysqlUnderTest(): boolean {
  return testDatabaseUrl().startsWith('mysql');
}
