import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { MysqlDriver } from 'typeorm/driver/mysql/MysqlDriver';
import { EntityColumns } from '../database/entity-columns';
import { retryOnConflict } from '../database/conflict-retry';
import { codesOf, isUniqueViolation } from '../database/db-errors';
import { commitTimeoutMs } from '../database/failover-pool';
import { User } from '../users/entities/user.entity';
import { RefreshToken } from './entities/refresh-token.entity';
import { CALL_UNAVAILABLE, REFRESH_PROCEDURE } from './refresh-procedure';
import { Session } from './entities/session.entity';
import { USER_COLUMNS } from './session-lookup';

const TOKEN_COLUMNS = [
  'id',
  'session_id',
  'parent_id',
  'token_hash',
  'created_at',
  'expires_at',
  'spent_at',
] as const;
const TOKEN_PROPERTIES = [
  'id',
  'sessionId',
  'parentId',
  'tokenHash',
  'createdAt',
  'expiresAt',
  'spentAt',
] as const;
const SESSION_COLUMNS = [
  'id',
  'user_id',
  'expires_at',
  'revoked_at',
  'revoked_reason',
  'amr',
  'auth_time',
];

/**
 * The refresh path's two statements of record, with their SQL built once: finding a presented
 * token (one primary-key lookup joined with its session and user) and spending it. Refresh is
 * the busiest write an auth server has, so it avoids the query builder and, on MySQL, does
 * its work in two round trips: the lookup, and one CALL of a stored procedure holding the
 * spend's transaction (four round trips where the procedure is not installed).
 */
@Injectable()
export class TokenStore {
  private readonly token: EntityColumns<RefreshToken>;
  private readonly session: EntityColumns<Session>;
  private readonly user: EntityColumns<User>;
  private readonly findSql: string;
  private readonly insertSql: string;
  private readonly touchSessionSql: string;
  private readonly mysql: boolean;
  private sqliteSpend?: (params: SpendParams) => boolean;
  private sqliteFind?: SqliteStatement;
  private readonly callSql = `CALL \`${REFRESH_PROCEDURE}\`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
  private readonly logger = new Logger(TokenStore.name);
  /** Whether the spend's stored procedure works here: not tried yet, used, or unavailable. */
  private procedure: 'untried' | 'used' | 'unavailable' = 'untried';

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    const q = (name: string) => dataSource.driver.escape(name);
    this.mysql = dataSource.options.type === 'mysql';
    this.token = new EntityColumns(dataSource, RefreshToken, 't', TOKEN_COLUMNS);
    this.session = new EntityColumns(dataSource, Session, 's', SESSION_COLUMNS);
    this.user = new EntityColumns(dataSource, User, 'u', USER_COLUMNS);
    this.findSql =
      `SELECT ${this.token.select}, ${this.session.select}, ${this.user.select} ` +
      `FROM ${q('refresh_tokens')} t ` +
      `INNER JOIN ${q('sessions')} s ON s.${q('id')} = t.${q('session_id')} ` +
      `INNER JOIN ${q('users')} u ON u.${q('id')} = s.${q('user_id')} WHERE t.${q('id')} = ?`;
    this.insertSql =
      `INSERT INTO ${q('refresh_tokens')} (${TOKEN_COLUMNS.map(q).join(', ')}) ` +
      `VALUES (${TOKEN_COLUMNS.map(() => '?').join(', ')})`;
    this.touchSessionSql =
      `UPDATE ${q('sessions')} SET ${q('last_used_at')} = ?, ${q('refresh_expires_at')} = ? ` +
      `WHERE ${q('id')} = ?`;
  }

  /**
   * How a spend reaches the database: one native transaction (SQLite), the stored procedure,
   * the four statements (MySQL without the procedure), or not known until the first spend.
   */
  get spendPath(): 'sqlite' | 'procedure' | 'statements' | 'untried' {
    if (!this.mysql) return 'sqlite';
    if (this.procedure === 'used') return 'procedure';
    return this.procedure === 'unavailable' ? 'statements' : 'untried';
  }

  /**
   * The token with its session and the session's user, or null. On SQLite a prepared
   * better-sqlite3 statement, not TypeORM's query runner (a promise queue and a logger call
   * per query): measured A/B, see docs/performance.md.
   */
  async find(id: string): Promise<RefreshToken | null> {
    const row = this.mysql
      ? ((await this.onMysqlConnection((query) => query(this.findSql, [id]))) as Row[])[0]
      : (this.sqliteFind ??= this.sqlite().prepare(this.findSql)).get(id);
    if (row === undefined) return null;
    const token = this.token.hydrate(row);
    token.session = this.session.hydrate(row);
    token.session.user = this.user.hydrate(row);
    return token;
  }

  /**
   * Spends `parent` and stores `successor` as the session's live token, if and only if
   * `parent` was still unspent: the conditional UPDATE's affected-row count decides a race
   * between any number of presentations on any number of instances. True for the winner.
   */
  spend(parent: RefreshToken, successor: RefreshToken, now: Date): Promise<boolean> {
    const params: SpendParams = {
      now: this.token.persist('spentAt', now),
      parentId: parent.id,
      sessionId: parent.sessionId,
      refreshExpiresAt: this.session.persist('refreshExpiresAt', successor.expiresAt),
      successor: this.successorValues(successor),
    };
    return this.mysql ? this.spendOnMysql(params) : Promise.resolve(this.spendOnSqlite(params));
  }

  /**
   * Stores a spent token's `successor` as its session's live token, when a grace replay finds
   * it missing. The spend and the insert commit together on both databases, so that takes a
   * row removed since; the row is deterministic, so this is the winner's own write again, and
   * a duplicate is the same row.
   */
  async restoreSuccessor(successor: RefreshToken, spentAt: Date): Promise<void> {
    await this.insertIgnoringDuplicate(this.dataSource, this.successorValues(successor));
    await this.dataSource.query(this.touchSessionSql, [
      this.session.persist('lastUsedAt', spentAt),
      this.session.persist('refreshExpiresAt', successor.expiresAt),
      successor.sessionId,
    ]);
  }

  private successorValues(successor: RefreshToken): unknown[] {
    return TOKEN_PROPERTIES.map((p) => this.token.persist(p, successor[p]));
  }

  /** The successor's INSERT, where a duplicate key means it is there already. */
  private async insertIgnoringDuplicate(
    on: { query(sql: string, values: unknown[]): Promise<unknown> },
    values: unknown[],
  ): Promise<void> {
    try {
      await on.query(this.insertSql, values);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }

  /**
   * One transaction, two statements: a multi-table UPDATE that spends the parent and updates
   * its session only while `spent_at IS NULL` (losers wait on the row lock, then match
   * nothing), and the successor's INSERT. A connection lost midway rolls both back, so a
   * token is never left spent without its successor. A deadlock, or on a multi-primary
   * cluster a certification conflict at COMMIT (another node spent it first), rolls back the
   * whole transaction and runs it again (retryOnConflict): the conditional UPDATE then decides
   * again, and finds the token spent. On Galera the UPDATE waits for that commit to be applied
   * here first (wsrep_sync_wait, failover-pool.ts), so the retry does not conflict again.
   */
  private spendOnMysql(params: SpendParams): Promise<boolean> {
    // The first attempt by the procedure (one round trip); a retry after a conflict by the
    // statements, whose UPDATE waits on Galera for the winner's commit to be applied here
    // (wsrep_sync_wait covers statements a client sends, not those inside a CALL).
    let attempt = 0;
    return retryOnConflict(() =>
      attempt++ === 0 && this.procedure !== 'unavailable'
        ? this.spendByProcedure(params)
        : this.spendOnMysqlOnce(params),
    );
  }

  /**
   * The spend as one `CALL` of the stored procedure (refresh-procedure.ts): the same
   * statements in the same transaction, on the server. Where it is missing or not allowed, the
   * statements are sent instead, from then on (one warning).
   */
  private async spendByProcedure(params: SpendParams): Promise<boolean> {
    try {
      return await this.onMysqlConnection(async (query, connection) => {
        const [rows] = (await query({ sql: this.callSql, timeout: commitTimeoutMs(connection) }, [
          params.parentId,
          params.now,
          params.refreshExpiresAt,
          ...params.successor,
        ])) as [{ spent: number | string }[]];
        this.procedure = 'used';
        return Number(rows[0].spent) === 1;
      });
    } catch (error) {
      const code = codesOf(error).find((c) => CALL_UNAVAILABLE.has(c));
      if (!code) throw error;
      if (this.procedure !== 'unavailable') {
        this.logger.warn(
          `refresh: ${REFRESH_PROCEDURE} cannot be called (${code}); sending its statements ` +
            'instead (see npm run cli -- refresh-procedure)',
        );
      }
      this.procedure = 'unavailable';
      return this.spendOnMysqlOnce(params);
    }
  }

  private spendOnMysqlOnce(params: SpendParams): Promise<boolean> {
    return this.onMysqlConnection(async (query, connection) => {
      await query('START TRANSACTION');
      try {
        const spent = (await query(
          'UPDATE `refresh_tokens` t INNER JOIN `sessions` s ON s.`id` = t.`session_id` ' +
            'SET t.`spent_at` = ?, s.`last_used_at` = ?, s.`refresh_expires_at` = ? ' +
            'WHERE t.`id` = ? AND t.`spent_at` IS NULL',
          [params.now, params.now, params.refreshExpiresAt, params.parentId],
        )) as { affectedRows: number };
        if (spent.affectedRows === 0) {
          await query('ROLLBACK');
          return false;
        }
        // Already there means a replay inserted the (deterministic) successor: the same row.
        await this.insertIgnoringDuplicate({ query }, params.successor);
        await query({ sql: 'COMMIT', timeout: commitTimeoutMs(connection) });
        return true;
      } catch (error) {
        // Also after a lost connection: then this fails too, and the server rolls back. A
        // COMMIT that timed out may still commit on the server: the client's retry within
        // the reuse grace then answers the same successor.
        await query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /**
   * `work` on one pooled MySQL connection, its statements sent straight to mysql2. The
   * refresh path skips TypeORM's query runner here (a runner per call, transaction events):
   * measured A/B on MariaDB, 3.9 → 3.2 ms of CPU per refresh and ~20 % more refreshes/s. The
   * pool's acquire and per-query deadlines (database/mysql-deadlines.ts) still apply: they
   * are installed on the driver's pool and its connections. Errors are mysql2's own, which
   * db-errors.ts classifies as it does TypeORM's.
   */
  private async onMysqlConnection<T>(
    work: (query: MysqlQuery, connection: object) => Promise<T>,
  ): Promise<T> {
    const driver = this.dataSource.driver as MysqlDriver;
    const connection = (await driver.obtainMasterConnection()) as MysqlConnection;
    const query: MysqlQuery = (sql, values = []) =>
      new Promise((resolve, reject) =>
        connection.query(sql, values, (error, result) => (error ? reject(error) : resolve(result))),
      );
    try {
      return await work(query, connection);
    } finally {
      connection.release();
    }
  }

  /**
   * better-sqlite3 is synchronous and in-process: the three statements run in one native
   * transaction inside a single call, so no other request's statement can run between them
   * and one commit (one WAL write) covers all three.
   */
  private spendOnSqlite(params: SpendParams): boolean {
    this.sqliteSpend ??= this.prepareSqliteSpend();
    return this.sqliteSpend(params);
  }

  /** The app's one better-sqlite3 connection (TypeORM's driver holds it). */
  private sqlite(): SqliteDatabase {
    return (this.dataSource.driver as unknown as { databaseConnection: SqliteDatabase })
      .databaseConnection;
  }

  private prepareSqliteSpend(): (params: SpendParams) => boolean {
    const db = this.sqlite();
    const spendParent = db.prepare(
      'UPDATE "refresh_tokens" SET "spent_at" = ? WHERE "id" = ? AND "spent_at" IS NULL',
    );
    const touchSession = db.prepare(this.touchSessionSql);
    const insertSuccessor = db.prepare(
      this.insertSql.replace('INSERT INTO', 'INSERT OR IGNORE INTO'),
    );
    return db.transaction((params: SpendParams) => {
      if (spendParent.run(params.now, params.parentId).changes !== 1) return false;
      touchSession.run(params.now, params.refreshExpiresAt, params.sessionId);
      insertSuccessor.run(...params.successor);
      return true;
    });
  }
}

interface SpendParams {
  now: unknown;
  parentId: string;
  sessionId: string;
  refreshExpiresAt: unknown;
  successor: unknown[];
}

/** A statement, or one with its own timeout (mysql2's query options). */
type MysqlStatement = string | { sql: string; timeout: number };

type MysqlQuery = (sql: MysqlStatement, values?: unknown[]) => Promise<unknown>;

/** The part of a pooled mysql2 connection used here (callback API, as TypeORM holds it). */
interface MysqlConnection {
  query(
    sql: MysqlStatement,
    values: unknown[],
    callback: (error: Error | null, result: unknown) => void,
  ): void;
  release(): void;
}

type Row = Record<string, unknown>;

/** The part of better-sqlite3's API used here (its types are not a dependency). */
interface SqliteStatement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): Row | undefined;
}

interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
}
