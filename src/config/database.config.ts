import { registerAs } from '@nestjs/config';
import { ConfigError } from './config-error';
import { RawEnv, readEnum, readOptional } from './env';

export type DatabaseConfig =
  | {
      type: 'sqlite';
      database: string;
      /** PRAGMA synchronous for the WAL (`SQLITE_SYNCHRONOUS`); see buildDataSourceOptions. */
      synchronous?: SqliteSynchronous;
    }
  | {
      type: 'mysql';
      host: string;
      port: number;
      username: string;
      password: string;
      database: string;
    };

export type SqliteSynchronous = 'NORMAL' | 'FULL';

export const DEFAULT_DATABASE_URL = 'sqlite:data/auth.sqlite';

/** Parses `DATABASE_URL`: `sqlite:<file>`, `sqlite::memory:` or `mysql://user:pass@host:port/db`. */
export function parseDatabaseUrl(raw: string): DatabaseConfig {
  const fail = (problem: string) => new ConfigError('DATABASE_URL', problem);
  if (raw.startsWith('sqlite:')) {
    const file = raw.slice('sqlite:'.length);
    if (!file)
      throw fail('"sqlite:" needs a file, e.g. sqlite:data/auth.sqlite or sqlite::memory:');
    return { type: 'sqlite', database: file };
  }
  if (raw.startsWith('mysql://') || raw.startsWith('mariadb://')) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw fail('is not a valid URL (mysql://user:pass@host:3306/db)');
    }
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (!url.hostname) throw fail('has no host (mysql://user:pass@host:3306/db)');
    if (!database || database.includes('/'))
      throw fail('names no database (mysql://user:pass@host:3306/db)');
    return {
      type: 'mysql',
      host: url.hostname,
      port: url.port ? Number(url.port) : 3306,
      username: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database,
    };
  }
  throw fail(`unsupported scheme in "${raw.split(':')[0]}:" (use sqlite: or mysql://)`);
}

export function loadDatabaseConfig(env: RawEnv): DatabaseConfig {
  const config = parseDatabaseUrl(readOptional(env, 'DATABASE_URL') ?? DEFAULT_DATABASE_URL);
  if (config.type !== 'sqlite') return config;
  const synchronous = readEnum<SqliteSynchronous>(env, 'SQLITE_SYNCHRONOUS', 'NORMAL', [
    'NORMAL',
    'FULL',
  ]);
  return { ...config, synchronous };
}

export const databaseConfig = registerAs('database', () => loadDatabaseConfig(process.env));
