import { MigrationInterface, QueryRunner, Table, TableForeignKey } from 'typeorm';
import { matchUsersCharset, timeColumn } from '../migration-helpers';

/**
 * Email verification: `users.email_verified_at` and the links' table
 * (src/auth/entities/email-verification-token.entity.ts). Accounts that exist already stay
 * unverified (null): nothing has proven their addresses. Portable API.
 */
export class EmailVerification1765411200000 implements MigrationInterface {
  name = 'EmailVerification1765411200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Plain ALTER TABLE … ADD COLUMN, which both databases do in place: TypeORM's addColumn
    // rebuilds a SQLite table (copy, DROP, rename), and dropping `users` with foreign keys on
    // would cascade into every session.
    const q = (name: string) => queryRunner.connection.driver.escape(name);
    await queryRunner.query(
      `ALTER TABLE ${q('users')} ADD COLUMN ${q('email_verified_at')} datetime(3) NULL`,
    );
    await queryRunner.createTable(
      new Table({
        name: 'email_verification_tokens',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'email', type: 'varchar', length: '254' },
          { name: 'token_hash', type: 'varchar', length: '64' },
          timeColumn('created_at'),
          timeColumn('expires_at'),
          timeColumn('used_at', true),
          timeColumn('voided_at', true),
        ],
        indices: [
          { name: 'IDX_email_verification_tokens_user', columnNames: ['user_id'] },
          {
            name: 'IDX_email_verification_tokens_hash',
            columnNames: ['token_hash'],
            isUnique: true,
          },
        ],
      }),
    );
    await matchUsersCharset(queryRunner, 'email_verification_tokens');
    // A deleted user takes its links with it.
    await queryRunner.createForeignKey(
      'email_verification_tokens',
      new TableForeignKey({
        columnNames: ['user_id'],
        referencedTableName: 'users',
        referencedColumnNames: ['id'],
        onDelete: 'CASCADE',
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('email_verification_tokens', true, true);
    const q = (name: string) => queryRunner.connection.driver.escape(name);
    await queryRunner.query(`ALTER TABLE ${q('users')} DROP COLUMN ${q('email_verified_at')}`);
  }
}
