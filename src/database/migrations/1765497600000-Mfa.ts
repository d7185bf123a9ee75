import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { matchUsersCharset, timeColumn } from '../migration-helpers';

/**
 * TOTP second factor (src/auth/mfa/mfa.entities.ts): `users.mfa_enabled`, `sessions.amr` and
 * `sessions.auth_time` (how and when the session was proven; existing sessions: a password,
 * at their start), and the tables `user_mfa`, `mfa_recovery_codes`, `mfa_challenges`. Also
 * an `expires_at` index on the two link tables, for the purge of expired ones.
 */
export class Mfa1765497600000 implements MigrationInterface {
  name = 'Mfa1765497600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const q = (name: string) => queryRunner.connection.driver.escape(name);
    // In place on both databases (TypeORM's addColumn rebuilds a SQLite table, and dropping
    // `users` or `sessions` with foreign keys on would cascade).
    const add = (table: string, column: string, type: string) =>
      queryRunner.query(`ALTER TABLE ${q(table)} ADD COLUMN ${q(column)} ${type}`);
    await add('users', 'mfa_enabled', 'boolean NOT NULL DEFAULT 0');
    await add('sessions', 'amr', "varchar(32) NOT NULL DEFAULT 'pwd'");
    await add('sessions', 'auth_time', 'datetime(3) NULL');
    await queryRunner.query(
      `UPDATE ${q('sessions')} SET ${q('auth_time')} = ${q('created_at')} WHERE ${q('auth_time')} IS NULL`,
    );

    const userId = { name: 'user_id', type: 'varchar', length: '36' };
    const tables = [
      new Table({
        name: 'user_mfa',
        columns: [
          { ...userId, isPrimary: true },
          { name: 'secret_sealed', type: 'varchar', length: '255' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'last_used_step', type: 'bigint', isNullable: true },
          { name: 'failures', type: 'int', default: 0 },
          timeColumn('failures_since', true),
          timeColumn('created_at'),
          timeColumn('confirmed_at', true),
        ],
      }),
      new Table({
        name: 'mfa_recovery_codes',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          userId,
          { name: 'code_hash', type: 'varchar', length: '64' },
          timeColumn('created_at'),
          timeColumn('used_at', true),
        ],
        indices: [
          { name: 'IDX_mfa_recovery_codes_user', columnNames: ['user_id'] },
          { name: 'IDX_mfa_recovery_codes_hash', columnNames: ['code_hash'], isUnique: true },
        ],
      }),
      new Table({
        name: 'mfa_challenges',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          userId,
          { name: 'token_hash', type: 'varchar', length: '64' },
          timeColumn('created_at'),
          timeColumn('expires_at'),
          { name: 'attempts', type: 'int', default: 0 },
          timeColumn('used_at', true),
        ],
        indices: [
          { name: 'IDX_mfa_challenges_user', columnNames: ['user_id'] },
          { name: 'IDX_mfa_challenges_hash', columnNames: ['token_hash'], isUnique: true },
          { name: 'IDX_mfa_challenges_expires', columnNames: ['expires_at'] },
        ],
      }),
    ];
    for (const table of tables) {
      await queryRunner.createTable(table);
      await matchUsersCharset(queryRunner, table.name);
      // A deleted user takes its factor, codes and challenges with it.
      await queryRunner.createForeignKey(
        table.name,
        new TableForeignKey({
          columnNames: ['user_id'],
          referencedTableName: 'users',
          referencedColumnNames: ['id'],
          onDelete: 'CASCADE',
        }),
      );
    }
    for (const table of ['password_reset_tokens', 'email_verification_tokens']) {
      await queryRunner.createIndex(
        table,
        new TableIndex({ name: `IDX_${table}_expires`, columnNames: ['expires_at'] }),
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const q = (name: string) => queryRunner.connection.driver.escape(name);
    for (const table of ['password_reset_tokens', 'email_verification_tokens']) {
      await queryRunner.dropIndex(table, `IDX_${table}_expires`);
    }
    for (const table of ['mfa_challenges', 'mfa_recovery_codes', 'user_mfa']) {
      await queryRunner.dropTable(table, true, true);
    }
    await queryRunner.query(`ALTER TABLE ${q('sessions')} DROP COLUMN ${q('auth_time')}`);
    await queryRunner.query(`ALTER TABLE ${q('sessions')} DROP COLUMN ${q('amr')}`);
    await queryRunner.query(`ALTER TABLE ${q('users')} DROP COLUMN ${q('mfa_enabled')}`);
  }
}
