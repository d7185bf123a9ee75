import { availableParallelism } from 'node:os';
import { loadAppConfig } from './app.config';
import { loadAuthConfig } from './auth.config';
import { ConfigError } from './config-error';
import { loadDatabaseConfig } from './database.config';
import { validateEnvironment } from './index';
import {
  checkWebConcurrency,
  defaultBcryptWorkers,
  MAX_WEB_CONCURRENCY,
  readWebConcurrency,
} from './web-concurrency';

const SECRETS = {
  JWT_ACCESS_SECRET: 'wc-access-secret-0123456789-abcdefghijklmnop',
  JWT_REFRESH_SECRET: 'wc-refresh-secret-0123456789-abcdefghijklmnop',
};

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('no ConfigError thrown');
}

describe('WEB_CONCURRENCY', () => {
  it('defaults to 1 (one process, no cluster primary), unset or empty', () => {
    expect(readWebConcurrency({})).toBe(1);
    expect(readWebConcurrency({ WEB_CONCURRENCY: '  ' })).toBe(1);
    expect(loadAppConfig({}).webConcurrency).toBe(1);
  });

  it('takes a whole number from 1 to 64', () => {
    expect(readWebConcurrency({ WEB_CONCURRENCY: '1' })).toBe(1);
    expect(readWebConcurrency({ WEB_CONCURRENCY: '2' })).toBe(2);
    expect(readWebConcurrency({ WEB_CONCURRENCY: ' 64 ' })).toBe(64);
    expect(loadAppConfig({ WEB_CONCURRENCY: '3' }).webConcurrency).toBe(3);
  });

  it('takes auto (any case) as the cores, at most 64', () => {
    expect(readWebConcurrency({ WEB_CONCURRENCY: 'auto' }, 8)).toBe(8);
    expect(readWebConcurrency({ WEB_CONCURRENCY: 'AUTO' }, 1)).toBe(1);
    expect(readWebConcurrency({ WEB_CONCURRENCY: 'Auto' }, 96)).toBe(MAX_WEB_CONCURRENCY);
    expect(readWebConcurrency({ WEB_CONCURRENCY: 'auto' })).toBe(
      Math.min(availableParallelism(), 64),
    );
  });

  it.each(['0', '65', '-1', '1.5', '2x', 'two', 'max', '1e1', '0x2'])(
    'refuses %p with one line naming the variable',
    (value) => {
      const error = configError(() => loadAppConfig({ WEB_CONCURRENCY: value }));
      expect(error.variable).toBe('WEB_CONCURRENCY');
      expect(error.message).toBe(
        `WEB_CONCURRENCY: "${value}" must be a whole number from 1 to 64, or auto`,
      );
    },
  );

  it('refuses more than one process on SQLite, the default database included', () => {
    for (const env of [{}, { DATABASE_URL: 'sqlite::memory:' }, { DATABASE_URL: 'sqlite:x.db' }]) {
      const error = configError(() => checkWebConcurrency(2, loadDatabaseConfig(env)));
      expect(error.variable).toBe('WEB_CONCURRENCY');
      expect(error.message).toMatch(/^WEB_CONCURRENCY: 2 processes need MySQL\/MariaDB/);
    }
    expect(configError(() => checkWebConcurrency(2, loadDatabaseConfig({}))).message).toContain(
      'data/auth.sqlite',
    );
  });

  it('is checked with the rest of the environment at start (main.ts prints the one line)', () => {
    const saved = process.env;
    process.env = { ...SECRETS, DATABASE_URL: 'sqlite::memory:', WEB_CONCURRENCY: '2' };
    try {
      expect(configError(() => validateEnvironment()).variable).toBe('WEB_CONCURRENCY');
      process.env.WEB_CONCURRENCY = 'lots';
      expect(configError(() => validateEnvironment()).variable).toBe('WEB_CONCURRENCY');
      process.env.WEB_CONCURRENCY = '1';
      expect(() => validateEnvironment()).not.toThrow();
      process.env = { ...SECRETS, DATABASE_URL: 'mysql://u:p@db:3306/auth', WEB_CONCURRENCY: '2' };
      expect(() => validateEnvironment()).not.toThrow();
    } finally {
      process.env = saved;
    }
  });

  it('allows one process on SQLite, and any number on MySQL', () => {
    expect(() => checkWebConcurrency(1, loadDatabaseConfig({}))).not.toThrow();
    const mysql = loadDatabaseConfig({ DATABASE_URL: 'mysql://u:p@db:3306/auth' });
    expect(() => checkWebConcurrency(64, mysql)).not.toThrow();
  });
});

describe('BCRYPT_WORKERS default divided among the processes', () => {
  it('is the cores with one process, at most 64', () => {
    expect(defaultBcryptWorkers(1, 1)).toBe(1);
    expect(defaultBcryptWorkers(8, 1)).toBe(8);
    expect(defaultBcryptWorkers(128, 1)).toBe(64);
  });

  it('is floor(cores / processes), at least 1, so the total stays at the cores', () => {
    expect(defaultBcryptWorkers(8, 2)).toBe(4);
    expect(defaultBcryptWorkers(8, 3)).toBe(2);
    expect(defaultBcryptWorkers(8, 8)).toBe(1);
    expect(defaultBcryptWorkers(2, 2)).toBe(1);
    expect(defaultBcryptWorkers(2, 4)).toBe(1);
    expect(defaultBcryptWorkers(1, 64)).toBe(1);
    for (const cores of [1, 2, 3, 4, 6, 8, 16, 64]) {
      for (let processes = 1; processes <= cores; processes++) {
        expect(defaultBcryptWorkers(cores, processes) * processes).toBeLessThanOrEqual(cores);
      }
    }
  });

  it('is what loadAuthConfig uses, and the queue limit follows the per-process workers', () => {
    const cores = availableParallelism();
    const load = (env: Record<string, string>) => loadAuthConfig({ ...SECRETS, ...env });
    expect(load({}).bcryptWorkers).toBe(Math.min(cores, 64));
    for (const processes of [1, 2, 4]) {
      const perProcess = Math.max(1, Math.floor(cores / processes));
      expect(load({ WEB_CONCURRENCY: String(processes) })).toMatchObject({
        bcryptWorkers: perProcess,
        bcryptQueueLimit: 20 * perProcess,
      });
    }
    expect(load({ WEB_CONCURRENCY: 'auto' }).bcryptWorkers).toBe(
      Math.max(1, Math.floor(cores / Math.min(cores, 64))),
    );
  });

  it('leaves an explicit BCRYPT_WORKERS (and BCRYPT_QUEUE_LIMIT) per process, as given', () => {
    const load = (env: Record<string, string>) => loadAuthConfig({ ...SECRETS, ...env });
    expect(load({ WEB_CONCURRENCY: '4', BCRYPT_WORKERS: '3' })).toMatchObject({
      bcryptWorkers: 3,
      bcryptQueueLimit: 60,
    });
    expect(load({ WEB_CONCURRENCY: '4', BCRYPT_QUEUE_LIMIT: '7' }).bcryptQueueLimit).toBe(7);
  });

  it('refuses a bad WEB_CONCURRENCY from the auth namespace too', () => {
    expect(configError(() => loadAuthConfig({ ...SECRETS, WEB_CONCURRENCY: '0' })).variable).toBe(
      'WEB_CONCURRENCY',
    );
  });
});
