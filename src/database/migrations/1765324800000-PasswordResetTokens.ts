import { MigrationInterface, QueryRunner, Table, TableForeignKey } from 'typeorm';
import { matchUsersCharset, timeColumn } from '../migration-helpers';

/** Password-reset links (src/auth/entities/password-reset-token.entity.ts). Portable API. */
export class PasswordResetTokens1765324800000 implements MigrationInterface {
  name = 'PasswordResetTokens1765324800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'password_reset_tokens',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'token_hash', type: 'varchar', length: '64' },
          timeColumn('created_at'),
          timeColumn('expires_at'),
          timeColumn('used_at', true),
          timeColumn('voided_at', true),
        ],
        indices: [
          { name: 'IDX_password_reset_tokens_user', columnNames: ['user_id'] },
          { name: 'IDX_password_reset_tokens_hash', columnNames: ['token_hash'], isUnique: true },
        ],
      }),
    );
    await matchUsersCharset(queryRunner, 'password_reset_tokens');
    // A deleted user takes its reset links with it.
    await queryRunner.createForeignKey(
      'password_reset_tokens',
      new TableForeignKey({
        columnNames: ['user_id'],
        referencedTableName: 'users',
        referencedColumnNames: ['id'],
        onDelete: 'CASCADE',
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('password_reset_tokens', true, true);
  }
}
