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
      /** The first of `hosts`. */
      host: string;
      port: number;
      /**
       * Every server, in order of preference (`mysql://u:p@h1:p1,h2:p2/db` or DATABASE_HOSTS):
       * connections go to the first healthy one and move on when it fails.
       */
      hosts: DatabaseHost[];
      username: string;
      password: string;
      database: string;
      /**
       * DATABASE_CAUSAL_READS (default on): on a Galera node, reads and updates wait until the
       * node has applied every write committed anywhere in the cluster (`wsrep_sync_wait`).
       * Nothing changes on a server that is not a Galera node.
       */
      causalReads: CausalReads;
    };

export interface DatabaseHost {
  host: string;
  port: number;
}

export type CausalReads = 'on' | 'off';

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
    // WHATWG URLs take one host: the authority's host list is split off and parsed apart.
    const authority = /^[a-z]+:\/\/(?:[^@/]*@)?([^/?#]*)/.exec(raw);
    const hostList = authority?.[1] ?? '';
    const first = hostList.split(',')[0];
    let url: URL;
    try {
      url = new URL(hostList.includes(',') ? raw.replace(hostList, first) : raw);
    } catch {
      throw fail('is not a valid URL (mysql://user:pass@host:3306/db)');
    }
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (!url.hostname) throw fail('has no host (mysql://user:pass@host:3306/db)');
    if (!database || database.includes('/'))
      throw fail('names no database (mysql://user:pass@host:3306/db)');
    const hosts = parseHosts(hostList, fail);
    return {
      type: 'mysql',
      host: hosts[0].host,
      port: hosts[0].port,
      hosts,
      username: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database,
      causalReads: 'on',
    };
  }
  throw fail(`unsupported scheme in "${raw.split(':')[0]}:" (use sqlite: or mysql://)`);
}

/** `h1:p1,h2,[::1]:p3`: host and port (default 3306) of each, at most 16, no repeats. */
function parseHosts(list: string, fail: (problem: string) => ConfigError): DatabaseHost[] {
  const example = 'host1:3306,host2:3306';
  const hosts = list.split(',').map((item) => {
    const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(item.trim());
    const port = match?.[2] === undefined ? 3306 : Number(match[2]);
    if (!match || port < 1 || port > 65535) {
      throw fail(`has an invalid host "${item}" in its host list (${example})`);
    }
    return { host: match[1].replace(/^\[|\]$/g, ''), port };
  });
  if (hosts.length > 16) throw fail('names more than 16 hosts');
  const keys = hosts.map((h) => `${h.host}:${h.port}`);
  if (new Set(keys).size !== keys.length) throw fail('names a host twice');
  return hosts;
}

export function loadDatabaseConfig(env: RawEnv): DatabaseConfig {
  const config = parseDatabaseUrl(readOptional(env, 'DATABASE_URL') ?? DEFAULT_DATABASE_URL);
  if (config.type === 'mysql') {
    const list = readOptional(env, 'DATABASE_HOSTS');
    const hosts = list
      ? parseHosts(list, (problem) => new ConfigError('DATABASE_HOSTS', problem))
      : config.hosts;
    return {
      ...config,
      host: hosts[0].host,
      port: hosts[0].port,
      hosts,
      causalReads: readEnum<CausalReads>(env, 'DATABASE_CAUSAL_READS', 'on', ['on', 'off']),
    };
  }
  if (readOptional(env, 'DATABASE_HOSTS')) {
    throw new ConfigError('DATABASE_HOSTS', 'lists MySQL/MariaDB servers: DATABASE_URL is SQLite');
  }
  const synchronous = readEnum<SqliteSynchronous>(env, 'SQLITE_SYNCHRONOUS', 'NORMAL', [
    'NORMAL',
    'FULL',
  ]);
  return { ...config, synchronous };
}

export const databaseConfig = registerAs('database', () => loadDatabaseConfig(process.env));
