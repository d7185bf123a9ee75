import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAppConfig } from './app.config';
import { loadAuthConfig } from './auth.config';
import { configError, expectConfigError } from '../../test/utils/config-error';
import { loadDatabaseConfig } from './database.config';
import { loadOrCreateDevSecrets } from './dev-secrets';
import { RawEnv } from './env';

const ACCESS = 'config-spec-access-secret-0123456789-abcdef';
const REFRESH = 'config-spec-refresh-secret-0123456789-abcdef';
/** Both secrets given, so loadAuthConfig never touches data/jwt-secrets.json. */
const SECRETS: RawEnv = { JWT_ACCESS_SECRET: ACCESS, JWT_REFRESH_SECRET: REFRESH };

describe('configuration', () => {
  describe('defaults', () => {
    it('app: port 3000, log level info, no proxy trust, no CORS', () => {
      expect(loadAppConfig({})).toMatchObject({
        production: false,
        port: 3000,
        logLevel: 'info',
        trustProxy: false,
        corsOrigins: [],
        bodyLimit: 102_400,
      });
    });

    it('auth: 15 min access, 7 d refresh, 30 d session, 10 s grace, bcrypt 11', () => {
      expect(loadAuthConfig(SECRETS)).toMatchObject({
        accessSecret: ACCESS,
        refreshSecret: REFRESH,
        issuer: 'nest-auth-service',
        audience: 'nest-auth-service',
        accessTtl: 900,
        refreshTtl: 604800,
        sessionMaxTtl: 2592000,
        reuseGrace: 10,
        bcryptCost: 11,
        secureCookie: false,
      });
    });

    it('database: SQLite file data/auth.sqlite', () => {
      expect(loadDatabaseConfig({})).toEqual({
        type: 'sqlite',
        database: 'data/auth.sqlite',
        synchronous: 'NORMAL',
      });
    });
  });

  describe('bad values stop the start with one line naming the variable', () => {
    it.each([
      ['ACCESS_TOKEN_TTL', 'abc'],
      ['ACCESS_TOKEN_TTL', '0'],
      ['REFRESH_TOKEN_TTL', '7 days'],
      ['SESSION_MAX_TTL', '1.5h'],
      ['REFRESH_REUSE_GRACE', '-1'],
      ['BCRYPT_COST', '3'],
      ['BCRYPT_COST', '16'],
      ['BCRYPT_COST', 'x'],
      ['BCRYPT_WORKERS', '0'],
      ['BCRYPT_WORKERS', '65'],
      ['BCRYPT_QUEUE_LIMIT', '0'],
      ['BCRYPT_QUEUE_LIMIT', '100001'],
      ['BCRYPT_QUEUE_LIMIT', '-1'],
    ])('auth %s=%p', (variable, value) => {
      expectConfigError(() => loadAuthConfig({ ...SECRETS, [variable]: value }), variable);
    });

    it.each([
      ['PORT', '70000'],
      ['PORT', 'http'],
      ['LOG_LEVEL', 'loud'],
      ['TRUST_PROXY', 'not-an-ip'],
      ['TRUST_PROXY', '10.0.0.0/33'],
      ['CORS_ORIGINS', 'ftp://x'],
      ['CORS_ORIGINS', 'https://ok.example.com,https://bad.example.com/path'],
    ])('app %s=%p', (variable, value) => {
      expectConfigError(() => loadAppConfig({ [variable]: value }), variable);
    });

    it.each(['postgres://x', 'mysql://host-without-db', 'mysql://host/', 'sqlite:'])(
      'DATABASE_URL=%p',
      (value) => {
        expectConfigError(() => loadDatabaseConfig({ DATABASE_URL: value }), 'DATABASE_URL');
      },
    );

    it('names the offending value in the message', () => {
      expect(
        configError(() => loadAuthConfig({ ...SECRETS, ACCESS_TOKEN_TTL: 'abc' })).message,
      ).toContain('"abc"');
    });
  });

  describe('durations', () => {
    it('allow REFRESH_REUSE_GRACE=0 (grace off) but refuse ACCESS_TOKEN_TTL=0', () => {
      expect(loadAuthConfig({ ...SECRETS, REFRESH_REUSE_GRACE: '0' }).reuseGrace).toBe(0);
      expectConfigError(
        () => loadAuthConfig({ ...SECRETS, ACCESS_TOKEN_TTL: '0' }),
        'ACCESS_TOKEN_TTL',
      );
    });

    it('accept units and plain seconds', () => {
      expect(
        loadAuthConfig({
          ...SECRETS,
          ACCESS_TOKEN_TTL: '90s',
          REFRESH_TOKEN_TTL: '12h',
          SESSION_MAX_TTL: '2d',
          REFRESH_REUSE_GRACE: '30',
          BCRYPT_COST: '4',
        }),
      ).toMatchObject({
        accessTtl: 90,
        refreshTtl: 43200,
        sessionMaxTtl: 172800,
        reuseGrace: 30,
        bcryptCost: 4,
      });
    });
  });

  describe('duration bounds', () => {
    it('refuse ACCESS_TOKEN_TTL=999999999d (past the ten-year maximum)', () => {
      const error = configError(() =>
        loadAuthConfig({ ...SECRETS, ACCESS_TOKEN_TTL: '999999999d' }),
      );
      expect(error.variable).toBe('ACCESS_TOKEN_TTL');
      expect(error.message.startsWith('ACCESS_TOKEN_TTL:')).toBe(true);
      expect(error.message).toContain('"999999999d"');
      expect(error.message).not.toMatch(/[\r\n]/);
    });

    it('cap REFRESH_REUSE_GRACE at 300 s: 5m is accepted, 10m and 301 are refused', () => {
      expect(loadAuthConfig({ ...SECRETS, REFRESH_REUSE_GRACE: '5m' }).reuseGrace).toBe(300);
      expect(loadAuthConfig({ ...SECRETS, REFRESH_REUSE_GRACE: '300' }).reuseGrace).toBe(300);
      expectConfigError(
        () => loadAuthConfig({ ...SECRETS, REFRESH_REUSE_GRACE: '10m' }),
        'REFRESH_REUSE_GRACE',
      );
      expect(
        configError(() => loadAuthConfig({ ...SECRETS, REFRESH_REUSE_GRACE: '10m' })).message,
      ).toMatch(/300/);
      expectConfigError(
        () => loadAuthConfig({ ...SECRETS, REFRESH_REUSE_GRACE: '301' }),
        'REFRESH_REUSE_GRACE',
      );
    });

    it('accept SESSION_MAX_TTL=3650d (ten years) and refuse 3651d', () => {
      expect(loadAuthConfig({ ...SECRETS, SESSION_MAX_TTL: '3650d' }).sessionMaxTtl).toBe(
        3650 * 86400,
      );
      expectConfigError(
        () => loadAuthConfig({ ...SECRETS, SESSION_MAX_TTL: '3651d' }),
        'SESSION_MAX_TTL',
      );
    });
  });

  describe('bcrypt pool', () => {
    it("defaults to one worker per core and about two seconds' queue per worker at the cost", () => {
      const cores = Math.min(availableParallelism(), 64);
      const at = (cost: string) => loadAuthConfig({ ...SECRETS, BCRYPT_COST: cost });
      expect(at('11')).toMatchObject({ bcryptWorkers: cores, bcryptQueueLimit: 20 * cores });
      expect(at('13')).toMatchObject({ bcryptQueueLimit: 5 * cores });
      expect(at('15')).toMatchObject({ bcryptQueueLimit: 4 * cores });
      expect(at('4')).toMatchObject({ bcryptQueueLimit: 1000 * cores });
    });

    it('takes BCRYPT_WORKERS 1-64 and BCRYPT_QUEUE_LIMIT 1-100000', () => {
      const load = (workers: string, limit: string) =>
        loadAuthConfig({ ...SECRETS, BCRYPT_WORKERS: workers, BCRYPT_QUEUE_LIMIT: limit });
      expect(load('1', '1')).toMatchObject({ bcryptWorkers: 1, bcryptQueueLimit: 1 });
      expect(load('64', '100000')).toMatchObject({ bcryptWorkers: 64, bcryptQueueLimit: 100000 });
      // The default queue follows the configured worker count.
      expect(loadAuthConfig({ ...SECRETS, BCRYPT_WORKERS: '3' }).bcryptQueueLimit).toBe(60);
    });
  });

  describe('token purge', () => {
    it('defaults to every hour, 1000 rows per batch', () => {
      expect(loadAuthConfig(SECRETS)).toMatchObject({
        tokenPurgeInterval: 3600,
        tokenPurgeBatch: 1000,
      });
    });

    it('accepts 0 (job off), 1s and 7d as intervals, and batches from 1 to 10000', () => {
      for (const [raw, seconds] of [
        ['0', 0],
        ['1s', 1],
        ['15m', 900],
        ['7d', 604800],
      ] as const) {
        const config = loadAuthConfig({ ...SECRETS, TOKEN_PURGE_INTERVAL: raw });
        expect(config.tokenPurgeInterval).toBe(seconds);
      }
      expect(loadAuthConfig({ ...SECRETS, TOKEN_PURGE_BATCH: '1' }).tokenPurgeBatch).toBe(1);
      expect(loadAuthConfig({ ...SECRETS, TOKEN_PURGE_BATCH: '10000' }).tokenPurgeBatch).toBe(
        10000,
      );
    });

    it.each([
      ['TOKEN_PURGE_INTERVAL', '8d'],
      ['TOKEN_PURGE_INTERVAL', '604801'],
      ['TOKEN_PURGE_INTERVAL', '-1'],
      ['TOKEN_PURGE_INTERVAL', '0.5s'],
      ['TOKEN_PURGE_INTERVAL', 'hourly'],
      ['TOKEN_PURGE_BATCH', '0'],
      ['TOKEN_PURGE_BATCH', '10001'],
      ['TOKEN_PURGE_BATCH', '-5'],
      ['TOKEN_PURGE_BATCH', '1e3'],
    ])('refuses %s=%p, naming the variable', (variable, value) => {
      expectConfigError(() => loadAuthConfig({ ...SECRETS, [variable]: value }), variable);
    });
  });

  describe('SHUTDOWN_TIMEOUT', () => {
    it('defaults to 10 s and takes a duration up to 5 min', () => {
      expect(loadAppConfig({}).shutdownTimeoutMs).toBe(10_000);
      expect(loadAppConfig({ SHUTDOWN_TIMEOUT: '30s' }).shutdownTimeoutMs).toBe(30_000);
      expect(loadAppConfig({ SHUTDOWN_TIMEOUT: '5m' }).shutdownTimeoutMs).toBe(300_000);
    });

    it.each(['0', '301', '6m', 'soon'])('refuses SHUTDOWN_TIMEOUT=%p, naming it', (value) => {
      expectConfigError(() => loadAppConfig({ SHUTDOWN_TIMEOUT: value }), 'SHUTDOWN_TIMEOUT');
    });
  });

  describe('ADMIN_EMAIL', () => {
    it('is put in Unicode NFC (and lower-cased) so it matches the registered spelling', () => {
      const nfd = 'Jose\u0301@Example.com';
      const config = loadAuthConfig({
        ...SECRETS,
        ADMIN_EMAIL: nfd,
        ADMIN_PASSWORD: 'admin-password-123',
      });
      expect(config.adminEmail).toBe('jos\u00e9@example.com');
      expect(config.adminEmail).not.toBe(nfd.toLowerCase());
    });
  });

  describe('production secrets', () => {
    const production = { NODE_ENV: 'production' };

    it('refuses a missing JWT_ACCESS_SECRET', () => {
      expectConfigError(() => loadAuthConfig(production), 'JWT_ACCESS_SECRET');
    });

    it('refuses a missing JWT_REFRESH_SECRET', () => {
      expectConfigError(
        () => loadAuthConfig({ ...production, JWT_ACCESS_SECRET: ACCESS }),
        'JWT_REFRESH_SECRET',
      );
    });

    it('refuses a secret shorter than 32 bytes', () => {
      expectConfigError(
        () => loadAuthConfig({ ...production, ...SECRETS, JWT_ACCESS_SECRET: 'x'.repeat(31) }),
        'JWT_ACCESS_SECRET',
      );
      expectConfigError(
        () => loadAuthConfig({ ...production, ...SECRETS, JWT_REFRESH_SECRET: 'short' }),
        'JWT_REFRESH_SECRET',
      );
    });

    it('refuses the same secret for both tokens', () => {
      expectConfigError(
        () =>
          loadAuthConfig({ ...production, JWT_ACCESS_SECRET: ACCESS, JWT_REFRESH_SECRET: ACCESS }),
        'JWT_REFRESH_SECRET',
      );
    });

    it('accepts two good secrets and marks the cookie Secure', () => {
      const config = loadAuthConfig({ ...production, ...SECRETS });
      expect(config).toMatchObject({
        accessSecret: ACCESS,
        refreshSecret: REFRESH,
        secureCookie: true,
      });
      expect(loadAppConfig(production).production).toBe(true);
    });
  });

  describe('DATABASE_URL', () => {
    it('parses a MySQL URL, decoding the password and defaulting the port to 3306', () => {
      expect(
        loadDatabaseConfig({ DATABASE_URL: 'mysql://app:p%40ss%3Aword@db.example.com/auth' }),
      ).toEqual({
        type: 'mysql',
        host: 'db.example.com',
        port: 3306,
        username: 'app',
        password: 'p@ss:word',
        database: 'auth',
        hosts: [{ host: 'db.example.com', port: 3306 }],
        causalReads: 'on',
      });
    });

    it('takes several hosts, in order, from the URL or from DATABASE_HOSTS', () => {
      const url = 'mysql://u:p%2Cq@db1:3307,db2,[::1]:3309/auth';
      expect(loadDatabaseConfig({ DATABASE_URL: url })).toMatchObject({
        host: 'db1',
        port: 3307,
        password: 'p,q',
        database: 'auth',
        hosts: [
          { host: 'db1', port: 3307 },
          { host: 'db2', port: 3306 },
          { host: '::1', port: 3309 },
        ],
      });
      const env = { DATABASE_URL: 'mysql://u:p@ignored/auth', DATABASE_HOSTS: 'h2:4,h1:3' };
      expect(loadDatabaseConfig(env)).toMatchObject({
        host: 'h2',
        port: 4,
        hosts: [
          { host: 'h2', port: 4 },
          { host: 'h1', port: 3 },
        ],
      });
    });

    it.each([
      ['DATABASE_URL', { DATABASE_URL: 'mysql://u:p@db1,,db2/auth' }],
      ['DATABASE_URL', { DATABASE_URL: 'mysql://u:p@db1:3306,db1:3306/auth' }],
      ['DATABASE_URL', { DATABASE_URL: 'mysql://u:p@db1,db2:99999/auth' }],
      ['DATABASE_HOSTS', { DATABASE_URL: 'mysql://u:p@h/auth', DATABASE_HOSTS: 'a b:1' }],
      ['DATABASE_HOSTS', { DATABASE_URL: 'sqlite::memory:', DATABASE_HOSTS: 'h1:3306' }],
      ['DATABASE_CAUSAL_READS', { DATABASE_URL: 'mysql://u:p@h/auth', DATABASE_CAUSAL_READS: 'x' }],
    ])('refuses %s in %j', (variable, env) => {
      expectConfigError(() => loadDatabaseConfig(env), variable);
    });

    it('turns causal reads off with DATABASE_CAUSAL_READS=off', () => {
      const env = { DATABASE_URL: 'mysql://u:p@h/auth', DATABASE_CAUSAL_READS: 'off' };
      expect(loadDatabaseConfig(env)).toMatchObject({ causalReads: 'off' });
    });

    it('keeps an explicit port and accepts mariadb://', () => {
      expect(loadDatabaseConfig({ DATABASE_URL: 'mariadb://u:p@127.0.0.1:3307/db' })).toMatchObject(
        {
          type: 'mysql',
          host: '127.0.0.1',
          port: 3307,
          database: 'db',
        },
      );
    });

    it('accepts sqlite::memory: and a SQLite file', () => {
      expect(loadDatabaseConfig({ DATABASE_URL: 'sqlite::memory:' })).toEqual({
        type: 'sqlite',
        database: ':memory:',
        synchronous: 'NORMAL',
      });
      expect(loadDatabaseConfig({ DATABASE_URL: 'sqlite:/tmp/x.sqlite' })).toEqual({
        type: 'sqlite',
        database: '/tmp/x.sqlite',
        synchronous: 'NORMAL',
      });
    });

    it('reads SQLITE_SYNCHRONOUS (FULL: fsync at every commit) and refuses other values', () => {
      const env = { DATABASE_URL: 'sqlite:/tmp/x.sqlite', SQLITE_SYNCHRONOUS: 'FULL' };
      expect(loadDatabaseConfig(env)).toMatchObject({ synchronous: 'FULL' });
      expectConfigError(
        () => loadDatabaseConfig({ ...env, SQLITE_SYNCHRONOUS: 'OFF' }),
        'SQLITE_SYNCHRONOUS',
      );
    });
  });

  describe('TRUST_PROXY and CORS_ORIGINS', () => {
    it('reads a hop count as a number', () => {
      expect(loadAppConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    });

    it('reads addresses and CIDR ranges as a list', () => {
      expect(loadAppConfig({ TRUST_PROXY: '10.0.0.0/8,127.0.0.1' }).trustProxy).toEqual([
        '10.0.0.0/8',
        '127.0.0.1',
      ]);
    });

    it('splits and trims CORS origins', () => {
      expect(
        loadAppConfig({ CORS_ORIGINS: 'https://a.example.com, http://localhost:5173' }).corsOrigins,
      ).toEqual(['https://a.example.com', 'http://localhost:5173']);
    });
  });

  describe('development secrets', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'dev-secrets-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('are generated once into a 0600 file and read back on the next call', () => {
      const file = join(dir, 'nested', 'jwt-secrets.json');
      const first = loadOrCreateDevSecrets(file);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(Buffer.byteLength(first.accessSecret)).toBeGreaterThanOrEqual(32);
      expect(Buffer.byteLength(first.refreshSecret)).toBeGreaterThanOrEqual(32);
      expect(first.accessSecret).not.toBe(first.refreshSecret);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(first);

      expect(loadOrCreateDevSecrets(file)).toEqual(first);
    });

    it('refuse a corrupt file with one line naming the file, not a SyntaxError', () => {
      const file = join(dir, 'jwt-secrets.json');
      writeFileSync(file, 'not json');
      const error = configError(() => loadOrCreateDevSecrets(file));
      expect(error.message.startsWith(file)).toBe(true);
      expect(error.message).toMatch(/not valid JSON/);
      expect(error.message).not.toMatch(/[\r\n]/);
      // The file is left for the operator to inspect or delete.
      expect(readFileSync(file, 'utf8')).toBe('not json');
    });

    it('fill in for unset secrets outside production, kept in data/ of the working directory', () => {
      const cwd = process.cwd();
      process.chdir(dir);
      try {
        const first = loadAuthConfig({});
        const stored = JSON.parse(readFileSync(join(dir, 'data', 'jwt-secrets.json'), 'utf8'));
        expect(first).toMatchObject({
          accessSecret: stored.accessSecret,
          refreshSecret: stored.refreshSecret,
        });
        expect(loadAuthConfig({})).toMatchObject({
          accessSecret: first.accessSecret,
          refreshSecret: first.refreshSecret,
        });

        // A configured secret wins over the stored one; the other still comes from the file.
        expect(loadAuthConfig({ JWT_ACCESS_SECRET: ACCESS })).toMatchObject({
          accessSecret: ACCESS,
          refreshSecret: stored.refreshSecret,
        });
      } finally {
        process.chdir(cwd);
      }
    });
  });
});
