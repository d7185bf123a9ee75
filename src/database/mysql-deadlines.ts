import { DataSource } from 'typeorm';
import type { MysqlDriver } from 'typeorm/driver/mysql/MysqlDriver';
import { isDatabaseUnavailable } from './db-errors';

/**
 * Bounds on every wait for MySQL, so that a database that is gone OR frozen (a stalled
 * server, a network partition that drops packets) turns into a 503 in under two seconds
 * instead of requests that hang until the client gives up:
 * - every query gives up after QUERY_TIMEOUT_MS, and its connection is destroyed, never
 *   returned to the pool (its late answer would otherwise be read by the next query);
 * - getting a pooled connection (connecting a new one included) gives up after
 *   ACQUIRE_TIMEOUT_MS while the database is failing — mysql2's pool has no bound of its own,
 *   it queues forever. While it is healthy, a wait for a connection only means the pool is
 *   busy: that is load, not an outage, and a request may queue up to BUSY_ACQUIRE_TIMEOUT_MS
 *   rather than be shed with a 503. A failure (a timeout, a refused or lost connection) marks
 *   the database failing for FAILING_WINDOW_MS, and fails at once every waiter already past
 *   the short bound.
 * Acquire plus query stay under 2 s. The app's queries are indexed point lookups and small
 * batches that take milliseconds; migrations, which may take long, run before this is on.
 */
export const ACQUIRE_TIMEOUT_MS = 800;
export const BUSY_ACQUIRE_TIMEOUT_MS = 10_000;
export const QUERY_TIMEOUT_MS = 1_000;
const FAILING_WINDOW_MS = 5_000;

interface PooledConnection {
  query: (...args: unknown[]) => unknown;
  release: () => void;
  destroy: () => void;
}

export class DatabaseTimeoutError extends Error {
  readonly code = 'POOL_ACQUIRE_TIMEOUT';
  constructor(waitedMs: number) {
    super(`no database connection within ${waitedMs} ms`);
    this.name = 'DatabaseTimeoutError';
  }
}

export function installMysqlDeadlines(dataSource: DataSource): void {
  if (dataSource.options.type !== 'mysql') return;
  const driver = dataSource.driver as MysqlDriver;
  const health = new DatabaseHealth();

  const pool = driver.pool as {
    on: (event: 'acquire', listener: (connection: PooledConnection) => void) => void;
  };
  // 'acquire' fires for new and reused connections alike, so the ones opened before this
  // (at initialisation and by migrations) are bounded too; each is wrapped once.
  const bounded = new WeakSet<PooledConnection>();
  pool.on('acquire', (connection) => {
    if (bounded.has(connection)) return;
    bounded.add(connection);
    boundQueries(connection, health);
  });

  const obtain = driver.obtainMasterConnection.bind(driver);
  driver.obtainMasterConnection = () =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      let settled = false;
      const giveUp = () => {
        if (settled) return;
        settled = true;
        clearTimeout(longTimer);
        health.waiters.delete(giveUp);
        reject(new DatabaseTimeoutError(Date.now() - started));
      };
      // Past the short bound: give up now if the database is failing, else wait on, and
      // give up the moment a failure is seen (or at the long bound).
      const shortTimer = setTimeout(() => {
        if (health.failing()) giveUp();
        else health.waiters.add(giveUp);
      }, ACQUIRE_TIMEOUT_MS);
      const longTimer = setTimeout(giveUp, BUSY_ACQUIRE_TIMEOUT_MS);
      obtain().then(
        (connection: PooledConnection) => {
          clearTimeout(shortTimer);
          clearTimeout(longTimer);
          health.waiters.delete(giveUp);
          // Arrived after the caller gave up: hand it back, nobody will use it.
          if (settled) connection.release();
          else resolve(connection);
          settled = true;
        },
        (error: unknown) => {
          clearTimeout(shortTimer);
          clearTimeout(longTimer);
          health.waiters.delete(giveUp);
          if (isConnectionFailure(error)) health.failed();
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the driver's own error, as is
          if (!settled) reject(error);
          settled = true;
        },
      );
    });
}

/** Lost races between transactions: the database answered, it is not failing. */
const CONTENTION_CODES = new Set([
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_TRANSACTION_ROLLBACK_DURING_COMMIT',
]);

function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return isDatabaseUnavailable(error) && !(typeof code === 'string' && CONTENTION_CODES.has(code));
}

/** Whether the database failed lately; the waiters to fail when it does. */
class DatabaseHealth {
  readonly waiters = new Set<() => void>();
  private lastFailure = -Infinity;

  failing(): boolean {
    return Date.now() - this.lastFailure < FAILING_WINDOW_MS;
  }

  failed(): void {
    this.lastFailure = Date.now();
    for (const giveUp of [...this.waiters]) giveUp();
  }
}

/** Gives each query of a pooled connection mysql2's per-query timeout. */
function boundQueries(connection: PooledConnection, health: DatabaseHealth): void {
  const query = connection.query.bind(connection);
  connection.query = (sql: unknown, values?: unknown, callback?: unknown) => {
    const options = typeof sql === 'string' ? { sql, timeout: QUERY_TIMEOUT_MS } : sql;
    if (typeof callback !== 'function') return query(options, values);
    return query(options, values, (error: { code?: string } | null, ...rest: unknown[]) => {
      if (error && isConnectionFailure(error)) {
        health.failed();
        // The server may still answer this query later: never let another query read that.
        if (error.code === 'PROTOCOL_SEQUENCE_TIMEOUT') connection.destroy();
      }
      (callback as (...args: unknown[]) => void)(error, ...rest);
    });
  };
}
