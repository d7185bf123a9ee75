import { availableParallelism } from 'node:os';
import { ConfigError } from './config-error';
import type { DatabaseConfig } from './database.config';
import { RawEnv, readOptional } from './env';

/** The most processes `WEB_CONCURRENCY` starts; also the ceiling of BCRYPT_WORKERS. */
export const MAX_WEB_CONCURRENCY = 64;

/**
 * `WEB_CONCURRENCY`: how many processes serve the port. Unset: 1, a single process as before
 * (no cluster primary). `auto`: one per core (`os.availableParallelism()`, at most 64). More
 * than 1: `dist/main.js` becomes a `node:cluster` primary that forks that many workers.
 */
export function readWebConcurrency(env: RawEnv, cores = availableParallelism()): number {
  const raw = readOptional(env, 'WEB_CONCURRENCY');
  if (raw === undefined) return 1;
  if (raw.toLowerCase() === 'auto') return Math.max(1, Math.min(cores, MAX_WEB_CONCURRENCY));
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_WEB_CONCURRENCY) {
    throw new ConfigError(
      'WEB_CONCURRENCY',
      `"${raw}" must be a whole number from 1 to ${MAX_WEB_CONCURRENCY}, or auto`,
    );
  }
  return Number(raw);
}

/**
 * BCRYPT_WORKERS' default for one of `processes` processes on `cores` cores: the cores shared
 * out, at least one thread each. Hashing is all CPU, so N processes with a pool of every core
 * each would only slice the same cores N times finer and let N times the jobs run at once.
 */
export function defaultBcryptWorkers(cores: number, processes: number): number {
  return Math.min(MAX_WEB_CONCURRENCY, Math.max(1, Math.floor(cores / processes)));
}

/**
 * More than one process needs MySQL/MariaDB. Why SQLite is refused: the server is one process
 * per SQLite file — its migrations take no lock, `sqlite::memory:` would be one database per
 * process (a token issued by one worker unknown to the next), and a file's writers would queue
 * on its lock with the event loop blocked.
 */
export function checkWebConcurrency(processes: number, database: DatabaseConfig): void {
  if (processes <= 1 || database.type !== 'sqlite') return;
  throw new ConfigError(
    'WEB_CONCURRENCY',
    `${processes} processes need MySQL/MariaDB: the SQLite database ${database.database} is ` +
      'served by one process only; set WEB_CONCURRENCY=1 or DATABASE_URL=mysql://…',
  );
}
