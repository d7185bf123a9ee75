import { loadAppConfig } from './app.config';
import { loadAuthConfig } from './auth.config';
import { loadDatabaseConfig } from './database.config';
import { loadKeysConfig } from './keys.config';
import { loadMailConfig } from './mail.config';
import { loadOAuthConfig } from './oauth.config';
import { RawEnv } from './env';
import { loadRateLimitConfig } from './rate-limit.config';
import { formatSeconds, PostureConfig, securityPosture } from './security-posture';

const SECRETS = {
  JWT_ACCESS_SECRET: 'posture-access-secret-0123456789-abcdefghij',
  JWT_REFRESH_SECRET: 'posture-refresh-secret-0123456789-abcdefghij',
};

/** The posture of the configuration an environment loads to, as the server would see it. */
function postureOf(env: RawEnv) {
  const config: PostureConfig = {
    app: loadAppConfig(env),
    auth: loadAuthConfig({ ...SECRETS, ...env }),
    database: loadDatabaseConfig(env),
    rateLimit: loadRateLimitConfig(env),
  };
  return securityPosture(config);
}

const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'mysql://app:s3cret-pw@db.internal:3306/auth',
  CORS_ORIGINS: 'https://app.example.com',
  TRUST_PROXY: '1',
};

describe('securityPosture', () => {
  it('lists the settings of a sound production configuration, with no warning', () => {
    const { lines, warnings } = postureOf({
      ...PRODUCTION,
      REDIS_URL: 'redis://:redis-pw@cache.internal:6379/0',
    });
    expect(warnings).toEqual([]);
    expect(lines).toEqual([
      'NODE_ENV: production',
      'database: mysql db.internal:3306/auth',
      'tokens: access 15m, refresh 7d idle, session 30d absolute, reuse grace 10s',
      'bcrypt cost: 11',
      'rate limit: AUTH_RATE_LIMIT 10/1m, counted in redis redis://cache.internal:6379',
      'TRUST_PROXY: 1 hop',
      'CORS: https://app.example.com',
      'refresh cookie: HttpOnly; SameSite=Strict; Path=/api/auth; Secure',
      'JWT secrets: from the environment',
    ]);
  });

  it('warns in production without SMTP_URL (reset mails would reach no one), not with it', () => {
    const posture = (env: RawEnv) =>
      securityPosture({
        app: loadAppConfig(env),
        auth: loadAuthConfig({ ...SECRETS, ...env }),
        database: loadDatabaseConfig(env),
        rateLimit: loadRateLimitConfig(env),
        mail: loadMailConfig(env),
      }).warnings;
    const redis = { REDIS_URL: 'redis://cache.internal:6379' };
    expect(posture({ ...PRODUCTION, ...redis })).toEqual([
      expect.stringMatching(/^SMTP_URL is unset in production/),
    ]);
    expect(posture({ ...PRODUCTION, ...redis, SMTP_URL: 'smtp://mail.internal:587' })).toEqual([]);
    expect(posture({}).some((w) => w.startsWith('SMTP_URL'))).toBe(false);
  });

  it('never prints a secret or a password', () => {
    const { lines, warnings } = postureOf({
      ...PRODUCTION,
      REDIS_URL: 'redis://:redis-pw@cache.internal:6379/0',
    });
    const text = [...lines, ...warnings].join('\n');
    for (const secret of ['s3cret-pw', 'redis-pw', ...Object.values(SECRETS)]) {
      expect(text).not.toContain(secret);
    }
  });

  it('reports development defaults: SQLite, memory counts, no proxy, no CORS, plain cookie', () => {
    const { lines } = postureOf({ NODE_ENV: 'development', DATABASE_URL: 'sqlite::memory:' });
    expect(lines).toEqual(
      expect.arrayContaining([
        'NODE_ENV: development (development settings)',
        'database: sqlite in memory',
        'rate limit: AUTH_RATE_LIMIT 10/1m, counted in memory (per instance)',
        "TRUST_PROXY: off (client IP is the socket's)",
        'CORS: off (no cross-origin access)',
        'refresh cookie: HttpOnly; SameSite=Strict; Path=/api/auth; not Secure (plain HTTP allowed)',
      ]),
    );
    expect(postureOf({}).lines[0]).toBe('NODE_ENV: (unset) (development settings)');
  });

  it.each([
    ['SQLite in production', { ...PRODUCTION, DATABASE_URL: 'sqlite:data/auth.sqlite' }, /SQLite/],
    ['a reuse grace over 60 s', { REFRESH_REUSE_GRACE: '61s' }, /REFRESH_REUSE_GRACE is 61s/],
    ['a bcrypt cost under 10', { BCRYPT_COST: '9' }, /BCRYPT_COST is 9/],
    [
      'plain-HTTP CORS origins in production',
      { ...PRODUCTION, CORS_ORIGINS: 'https://app.example.com,http://app.example.com' },
      /CORS_ORIGINS allows plain-HTTP origins in production \(http:\/\/app\.example\.com\)/,
    ],
    ['TRUST_PROXY trusting every IPv4 address', { TRUST_PROXY: '0.0.0.0/0' }, /TRUST_PROXY trusts/],
    ['TRUST_PROXY trusting every IPv6 address', { TRUST_PROXY: '10.0.0.1,::/0' }, /::\/0/],
  ])('warns about %s', (_what, env: RawEnv, warning) => {
    const { warnings } = postureOf(env);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(warning);
  });

  it('warns in production about WEB_CONCURRENCY > 1 without REDIS_URL: N × the limits', () => {
    const { lines, warnings } = postureOf({ ...PRODUCTION, WEB_CONCURRENCY: '3' });
    expect(warnings).toEqual([
      'WEB_CONCURRENCY is 3 without REDIS_URL: each worker process counts rate limits on its ' +
        'own, so this instance allows up to 3 × AUTH_RATE_LIMIT (30 logins per IP and email per ' +
        'window instead of 10); set REDIS_URL',
    ]);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^processes: WEB_CONCURRENCY 3 \(cluster workers on one port\), \d+ bcrypt threads? each$/,
        ),
        'rate limit: AUTH_RATE_LIMIT 10/1m, counted in memory (per process: each of the 3 workers counts alone)',
      ]),
    );
  });

  it('does not warn about WEB_CONCURRENCY with REDIS_URL, outside production, or at 1', () => {
    const redis = { REDIS_URL: 'redis://cache.internal:6379' };
    expect(postureOf({ ...PRODUCTION, ...redis, WEB_CONCURRENCY: '2' }).warnings).toEqual([]);
    expect(postureOf({ ...PRODUCTION, WEB_CONCURRENCY: '1' }).warnings).toEqual([]);
    expect(
      postureOf({ WEB_CONCURRENCY: '2', DATABASE_URL: PRODUCTION.DATABASE_URL }).warnings,
    ).toEqual([]);
    // One process: the report is as it always was (no processes line).
    expect(postureOf(PRODUCTION).lines.some((line) => line.startsWith('processes:'))).toBe(false);
  });

  it('does not warn at the limits: grace 60 s, cost 10, http origins outside production', () => {
    expect(
      postureOf({
        REFRESH_REUSE_GRACE: '60s',
        BCRYPT_COST: '10',
        CORS_ORIGINS: 'http://localhost:5173',
        TRUST_PROXY: '10.0.0.0/8',
      }).warnings,
    ).toEqual([]);
  });

  it('warns about generated JWT secrets, naming the file and the variables', () => {
    const config: PostureConfig = {
      app: loadAppConfig({}),
      auth: { ...loadAuthConfig(SECRETS), generatedSecrets: true },
      database: loadDatabaseConfig({}),
      rateLimit: loadRateLimitConfig({}),
    };
    const { lines, warnings } = securityPosture(config);
    expect(lines).toContain('JWT secrets: generated, kept in data/jwt-secrets.json');
    expect(warnings).toEqual([expect.stringMatching(/data\/jwt-secrets\.json.*JWT_ACCESS_SECRET/)]);
  });

  it('warns when no rate-limit configuration is found', () => {
    const config: PostureConfig = {
      app: loadAppConfig({}),
      auth: loadAuthConfig(SECRETS),
      database: loadDatabaseConfig({}),
    };
    const { lines, warnings } = securityPosture(config);
    expect(lines).toContain('rate limit: not configured');
    expect(warnings).toEqual([expect.stringMatching(/no rate-limit configuration/)]);
  });

  it('formats durations in their largest exact unit', () => {
    expect([0, 45, 90, 900, 3600, 5400, 86400, 604800].map(formatSeconds)).toEqual([
      '0s',
      '45s',
      '90s',
      '15m',
      '1h',
      '90m',
      '1d',
      '7d',
    ]);
  });

  it('reports the access-token algorithm, the key set and the introspection clients, never a secret', () => {
    const env = {
      JWT_ALG: 'EdDSA',
      KEY_ENCRYPTION_KEY: 'cd'.repeat(32),
      KEY_ROTATION_INTERVAL: '30d',
      INTROSPECTION_CLIENTS: `gateway:${'g'.repeat(40)}`,
    };
    const { lines, warnings } = securityPosture({
      app: loadAppConfig(env),
      auth: loadAuthConfig({ ...SECRETS, ...env }),
      database: loadDatabaseConfig(env),
      rateLimit: loadRateLimitConfig(env),
      keys: loadKeysConfig(env),
      oauth: loadOAuthConfig(env),
    });
    expect(lines).toEqual(
      expect.arrayContaining([
        'access tokens: EdDSA, key set reloaded every 1m, rotated every 30d, private keys sealed ' +
          'with the configured KEY_ENCRYPTION_KEY',
        'introspection clients: gateway',
      ]),
    );
    expect(lines.join('\n')).not.toContain('g'.repeat(40));
    expect(lines.join('\n')).not.toContain('cd'.repeat(32));
    expect(warnings).toEqual([]);
    const generated = securityPosture({
      app: loadAppConfig({}),
      auth: loadAuthConfig(SECRETS),
      database: loadDatabaseConfig({}),
      rateLimit: loadRateLimitConfig({}),
      keys: { ...loadKeysConfig(env), generatedEncryptionKey: true },
    });
    expect(generated.warnings.join('\n')).toMatch(/KEY_ENCRYPTION_KEY was generated into data\//);
  });
});
