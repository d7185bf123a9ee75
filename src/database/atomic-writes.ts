import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityTarget } from 'typeorm';
import type { MysqlDriver } from 'typeorm/driver/mysql/MysqlDriver';
import { retryOnConflict } from './conflict-retry';
import { commitTimeoutMs } from './failover-pool';

/** One parameterised statement (`?` placeholders, values already in the driver's form). */
export interface Statement {
  sql: string;
  params: unknown[];
}

/** A deciding statement matched no row: nothing was written. */
export const NOT_APPLIED = null;

interface SqliteDatabase {
  prepare(sql: string): { run(...params: unknown[]): { changes: number } };
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
}

interface MysqlConnection {
  query(
    sql: string | { sql: string; timeout: number },
    values: unknown[],
    callback: (error: Error | null, result: { affectedRows?: number }) => void,
  ): void;
  release(): void;
}

class NotApplied extends Error {}

/**
 * A few writes that commit together or not at all, on either database, without TypeORM's
 * transactions: on SQLite those run on the one shared connection, so a transaction would
 * take in the statements of every request that runs meanwhile (and roll them back with it).
 * SQLite: better-sqlite3's native transaction, synchronous, so nothing else runs inside it.
 * MySQL: one pooled connection, START TRANSACTION … COMMIT at READ COMMITTED, run again after
 * a conflict (a deadlock, a Galera certification failure), as the refresh spend is.
 *
 * With `conditional`, the first statement decides: when it matches no row, nothing is written
 * and the result is NOT_APPLIED (a single-use token already used, say); with `all`, every
 * statement decides so (a code's time step and an mfa token, both spent at once). Otherwise the
 * result is each statement's affected-row count.
 */
@Injectable()
export class AtomicWrites {
  private readonly mysql: boolean;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.mysql = dataSource.options.type === 'mysql';
  }

  /** A row of `entity` as an INSERT, its values converted as TypeORM would persist them. */
  insert<T extends object>(entity: EntityTarget<T>, row: Partial<T>): Statement {
    const metadata = this.dataSource.getMetadata(entity);
    const q = (name: string) => this.dataSource.driver.escape(name);
    const columns = metadata.columns.filter((c) => c.propertyName in row);
    const params = columns.map((c) => {
      const value = (row as Record<string, unknown>)[c.propertyName];
      return value === null ? null : this.dataSource.driver.preparePersistentValue(value, c);
    });
    return {
      sql:
        `INSERT INTO ${q(metadata.tableName)} (${columns.map((c) => q(c.databaseName)).join(', ')}) ` +
        `VALUES (${columns.map(() => '?').join(', ')})`,
      params,
    };
  }

  /** A value for a column of `entity`, as TypeORM would persist it (dates on SQLite, …). */
  value<T extends object>(entity: EntityTarget<T>, property: keyof T & string, value: unknown) {
    if (value === null) return null;
    const column = this.dataSource.getMetadata(entity).findColumnWithPropertyName(property);
    if (!column) throw new Error(`no column for ${property}`);
    return this.dataSource.driver.preparePersistentValue(value, column);
  }

  run(
    statements: Statement[],
    options: { conditional?: boolean; all?: boolean } = {},
  ): Promise<number[] | null> {
    const decides = (i: number) => (options.all ?? false) || (i === 0 && !!options.conditional);
    return this.mysql
      ? retryOnConflict(() => this.onMysql(statements, decides))
      : Promise.resolve(this.onSqlite(statements, decides));
  }

  private onSqlite(statements: Statement[], decides: (i: number) => boolean): number[] | null {
    const db = (this.dataSource.driver as unknown as { databaseConnection: SqliteDatabase })
      .databaseConnection;
    const transaction = db.transaction(() =>
      statements.map((statement, i) => {
        const changes = db.prepare(statement.sql).run(...statement.params).changes;
        if (changes === 0 && decides(i)) throw new NotApplied();
        return changes;
      }),
    );
    try {
      return transaction();
    } catch (error) {
      if (error instanceof NotApplied) return NOT_APPLIED;
      throw error;
    }
  }

  private async onMysql(
    statements: Statement[],
    decides: (i: number) => boolean,
  ): Promise<number[] | null> {
    const driver = this.dataSource.driver as MysqlDriver;
    const connection = (await driver.obtainMasterConnection()) as MysqlConnection;
    const query = (sql: string | { sql: string; timeout: number }, values: unknown[] = []) =>
      new Promise<{ affectedRows?: number }>((resolve, reject) =>
        connection.query(sql, values, (error, result) => (error ? reject(error) : resolve(result))),
      );
    try {
      // READ COMMITTED for this one transaction: under REPEATABLE READ an UPDATE that matches
      // no row (voiding a user's older links, an unknown address's dummy statements) takes gap
      // locks, and two such transactions inserting into the same gap deadlock each other — 20
      // concurrent forgot requests lost mails that way. The conditional UPDATEs that decide
      // still lock and re-read the rows they match.
      await query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
      await query('START TRANSACTION');
      try {
        const counts: number[] = [];
        for (const [i, statement] of statements.entries()) {
          const changes = (await query(statement.sql, statement.params)).affectedRows ?? 0;
          if (changes === 0 && decides(i)) {
            await query('ROLLBACK');
            return NOT_APPLIED;
          }
          counts.push(changes);
        }
        await query({ sql: 'COMMIT', timeout: commitTimeoutMs(connection) });
        return counts;
      } catch (error) {
        await query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      connection.release();
    }
  }
}
