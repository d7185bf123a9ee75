import { DataSource } from 'typeorm';
import type { MysqlDriver } from 'typeorm/driver/mysql/MysqlDriver';

/**
 * Bounds on every wait for MySQL, so that a database that is gone OR frozen (a stalled
 * server, a network partition that drops packets) turns into a 503 in under two seconds
 * instead of requests that hang until the client gives up:
 * - acquiring a pooled connection (including connecting a new one) gives up after
 *   ACQUIRE_TIMEOUT_MS — mysql2's pool has no such bound of its own, it queues forever;
 * - every query gives up after QUERY_TIMEOUT_MS, and its connection is destroyed, never
 *   returned to the pool (its late answer would otherwise be read by the next query).
 * The two add up to under 2 s. The app's queries are indexed point lookups and small
 * batches that take milliseconds; migrations, which may take long, run before this is on.
 */
export const ACQUIRE_TIMEOUT_MS = 800;
export const QUERY_TIMEOUT_MS = 1_000;

interface PooledConnection {
  query: (...args: unknown[]) => unknown;
  release: () => void;
  destroy: () => void;
}

export class DatabaseTimeoutError extends Error {
  readonly code = 'POOL_ACQUIRE_TIMEOUT';
  constructor() {
    super(`no database connection within ${ACQUIRE_TIMEOUT_MS} ms`);
    this.name = 'DatabaseTimeoutError';
  }
}

export function installMysqlDeadlines(dataSource: DataSource): void {
  if (dataSource.options.type !== 'mysql') return;
  const driver = dataSource.driver as MysqlDriver;
  const pool = driver.pool as {
    on: (event: 'acquire', listener: (connection: PooledConnection) => void) => void;
  };
  // 'acquire' fires for new and reused connections alike, so the ones opened before this
  // (at initialisation and by migrations) are bounded too; each is wrapped once.
  const bounded = new WeakSet<PooledConnection>();
  pool.on('acquire', (connection) => {
    if (bounded.has(connection)) return;
    bounded.add(connection);
    boundQueries(connection);
  });

  const obtain = driver.obtainMasterConnection.bind(driver);
  driver.obtainMasterConnection = () =>
    new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        reject(new DatabaseTimeoutError());
      }, ACQUIRE_TIMEOUT_MS);
      obtain().then(
        (connection: PooledConnection) => {
          clearTimeout(timer);
          // Arrived after the caller gave up: hand it back, nobody will use it.
          if (settled) connection.release();
          else resolve(connection);
        },
        (error: unknown) => {
          clearTimeout(timer);
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the driver's own error, as is
          if (!settled) reject(error);
        },
      );
    });
}

/** Gives each query of a pooled connection mysql2's per-query timeout. */
function boundQueries(connection: PooledConnection): void {
  const query = connection.query.bind(connection);
  connection.query = (sql: unknown, values?: unknown, callback?: unknown) => {
    const options = typeof sql === 'string' ? { sql, timeout: QUERY_TIMEOUT_MS } : sql;
    if (typeof callback !== 'function') return query(options, values);
    return query(options, values, (error: { code?: string } | null, ...rest: unknown[]) => {
      // The server may still answer this query later: never let another query read that.
      if (error?.code === 'PROTOCOL_SEQUENCE_TIMEOUT') connection.destroy();
      (callback as (...args: unknown[]) => void)(error, ...rest);
    });
  };
}
