import * as mysql2 from 'mysql2';
import type { CausalReads, DatabaseHost } from '../config/database.config';
import { isDatabaseUnavailable } from './db-errors';
import { QUERY_TIMEOUT_MS } from './mysql-deadlines';

/**
 * How long a server that refused a connection (or was not a synced Galera node) is skipped
 * before it is tried again. Short, so a node that rejoined is used again within seconds and
 * no restart is needed; long enough that a dead one costs one refused connect per interval.
 */
export const NODE_RETRY_MS = 2_000;

/**
 * What `SET SESSION wsrep_sync_wait` gets with causal reads: 1 (reads, and BEGIN) + 2 (UPDATE
 * and DELETE). The reads see every write committed on any node (login on node 1, refresh on
 * node 2); the conditional UPDATE that spends a refresh token sees a concurrent spend
 * committed elsewhere, so after a certification conflict its retry finds the token spent
 * instead of conflicting again. INSERTs (4) need no wait: their keys are new.
 */
export const CAUSAL_SYNC_WAIT = 3;

/**
 * The bound of a COMMIT that ends a transaction of writes (the refresh spend) on a Galera
 * node: longer than the cluster's pause when a node dies, during which every node holds its
 * commits until the dead one is evicted (`evs.suspect_timeout`, 5 s by default) and then
 * commits them. Given up at 1 s, such a COMMIT answers 503 for a rotation that commits a moment
 * later, and the client's retry after the reuse grace ends its session (measured: 23 of ~100
 * such 503s in a soak with one node killed). Elsewhere a COMMIT keeps the 1 s bound of every
 * query: a single server that does not answer in time is stalled, not pausing.
 */
export const GALERA_COMMIT_TIMEOUT_MS = 10_000;

const galeraConnections = new WeakSet<object>();

/** The timeout for a COMMIT on this pooled connection (see GALERA_COMMIT_TIMEOUT_MS). */
export function commitTimeoutMs(connection: object): number {
  return galeraConnections.has(connection) ? GALERA_COMMIT_TIMEOUT_MS : QUERY_TIMEOUT_MS;
}

type Callback = (error: Error | null, connection?: PoolConnection) => void;

interface PoolConnection {
  query(sql: string, callback: (error: Error | null, rows?: unknown) => void): void;
  release(): void;
  destroy(): void;
}

interface Node {
  label: string;
  pool: mysql2.Pool;
  /** Skipped until then (ms since the epoch) after a failure. */
  downUntil: number;
}

export class NodeNotReadyError extends Error {
  // A node that is not ready is "unavailable": when no other node is, the request gets 503.
  readonly code = 'ER_UNKNOWN_COM_ERROR';
  constructor(label: string, state: string) {
    super(`${label} is a Galera node that is not ready (${state}): not used until it is Synced`);
    this.name = 'NodeNotReadyError';
  }
}

/**
 * The connection pool TypeORM's MySQL driver uses, over several servers (DATABASE_URL's host
 * list): one mysql2 pool per server, tried in the configured order. A connection comes from
 * the first server not marked down; a server whose connect fails with an outage error (or that
 * is a Galera node not Synced) is marked down for NODE_RETRY_MS and the next one is tried, so
 * a request meets at most the queries in flight on a node that died. When every server is
 * marked down, all are tried again in order (an outage answers 503 as with one server).
 *
 * Each new connection is checked once: on a Galera node (`wsrep_on`) it must be Synced and
 * ready, and gets `wsrep_sync_wait` (causal reads) unless DATABASE_CAUSAL_READS=off. With one
 * host this is the plain pool plus that check.
 *
 * Chosen over mysql2's PoolCluster, whose nodes leave the rotation only after errors counted
 * per node and which cannot refuse a reachable node that is not ready, and over a proxy
 * (haproxy from Debian): a proxy is one more process to run and watch, its TCP health checks
 * do not see a node's Galera state without a helper script, and a dead proxy is an outage.
 */
export class FailoverPool {
  private readonly nodes: Node[];
  private readonly checked = new WeakSet<object>();

  constructor(
    options: mysql2.PoolOptions,
    hosts: DatabaseHost[],
    private readonly causalReads: CausalReads,
  ) {
    this.nodes = hosts.map(({ host, port }) => ({
      label: `${host}:${port}`,
      pool: mysql2.createPool({ ...options, host, port }),
      downUntil: 0,
    }));
  }

  /** Labels of the servers not marked down, in order (for logs and tests). */
  upNodes(): string[] {
    const now = Date.now();
    return this.nodes.filter((n) => n.downUntil <= now).map((n) => n.label);
  }

  getConnection(callback: Callback): void {
    const now = Date.now();
    const up = this.nodes.filter((n) => n.downUntil <= now);
    this.tryNodes(up.length > 0 ? up : this.nodes, 0, callback);
  }

  /** mysql2 pool events ('acquire', 'connection', …) of every server's pool. */
  on(event: string, listener: (...args: unknown[]) => void): this {
    for (const node of this.nodes) node.pool.on(event as 'acquire', listener);
    return this;
  }

  end(callback: (error?: Error | null) => void): void {
    let pending = this.nodes.length;
    let first: Error | null = null;
    for (const node of this.nodes) {
      node.pool.end((error) => {
        first ??= error ?? null;
        if (--pending === 0) callback(first);
      });
    }
  }

  private tryNodes(candidates: Node[], index: number, callback: Callback): void {
    const node = candidates[index];
    const next = (error: Error) => {
      node.downUntil = Date.now() + NODE_RETRY_MS;
      if (index + 1 < candidates.length) this.tryNodes(candidates, index + 1, callback);
      else callback(error);
    };
    node.pool.getConnection((error, connection) => {
      if (error) {
        if (isDatabaseUnavailable(error)) next(error);
        else callback(error);
        return;
      }
      const pooled = connection as unknown as PoolConnection;
      if (this.checked.has(pooled)) {
        callback(null, pooled);
        return;
      }
      this.prepare(pooled, node.label).then(
        () => {
          this.checked.add(pooled);
          callback(null, pooled);
        },
        (failure: Error) => {
          pooled.destroy();
          if (isDatabaseUnavailable(failure)) next(failure);
          else callback(failure);
        },
      );
    });
  }

  /** A new connection: a Galera node must be Synced and ready; causal reads are set. */
  private async prepare(connection: PoolConnection, label: string): Promise<void> {
    const query = (sql: string) =>
      new Promise<Record<string, string>[]>((resolve, reject) =>
        connection.query(sql, (error, rows) =>
          error ? reject(error) : resolve(rows as Record<string, string>[]),
        ),
      );
    // Empty on MySQL (no such variable), OFF on MariaDB without Galera.
    const [wsrep] = await query("SHOW VARIABLES LIKE 'wsrep_on'");
    if (String(wsrep?.Value).toUpperCase() !== 'ON') return;
    const status = new Map(
      (
        await query(
          "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_local_state_comment')",
        )
      ).map((row) => [row.Variable_name.toLowerCase(), row.Value]),
    );
    const state = status.get('wsrep_local_state_comment') ?? 'unknown';
    if (status.get('wsrep_ready') !== 'ON' || state !== 'Synced') {
      throw new NodeNotReadyError(label, state);
    }
    if (this.causalReads === 'on') {
      await query(`SET SESSION wsrep_sync_wait = ${CAUSAL_SYNC_WAIT}`);
    }
    galeraConnections.add(connection);
  }
}

/**
 * The `driver` TypeORM's MySQL driver loads: mysql2 itself, except that `createPool` makes a
 * FailoverPool over `hosts` (TypeORM passes the options of its first host).
 */
export function failoverDriver(hosts: DatabaseHost[], causalReads: CausalReads): unknown {
  const driver = Object.create(mysql2) as Record<string, unknown>;
  // An own, enumerable property (mysql2's is an inherited getter that cannot be assigned):
  // TypeORM treats a driver object without own keys as missing.
  Object.defineProperty(driver, 'createPool', {
    enumerable: true,
    value: (options: mysql2.PoolOptions) => new FailoverPool(options, hosts, causalReads),
  });
  return driver;
}
