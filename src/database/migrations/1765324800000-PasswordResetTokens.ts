import { MigrationInterface, QueryRunner, Table, TableForeignKey } from 'typeorm';

/** Password-reset links (src/auth/entities/password-reset-token.entity.ts). Portable API. */
export class PasswordResetTokens1765324800000 implements MigrationInterface {
  name = 'PasswordResetTokens1765324800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const time = (name: string, isNullable = false) => ({
      name,
      type: 'datetime',
      precision: 3,
      isNullable,
    });
    await queryRunner.createTable(
      new Table({
        name: 'password_reset_tokens',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'token_hash', type: 'varchar', length: '64' },
          time('created_at'),
          time('expires_at'),
          time('used_at', true),
          time('voided_at', true),
        ],
        indices: [
          { name: 'IDX_password_reset_tokens_user', columnNames: ['user_id'] },
          { name: 'IDX_password_reset_tokens_hash', columnNames: ['token_hash'], isUnique: true },
        ],
      }),
    );
    // The character set and collation of `users` (utf8mb4 since Utf8mb4Tables, whatever the
    // database's default): a foreign key between string columns of two character sets or
    // collations cannot be made.
    if (queryRunner.connection.driver.options.type === 'mysql') {
      const [users] = (await queryRunner.query(
        'SELECT CHARACTER_SET_NAME AS charset, COLLATION_NAME AS collation ' +
          'FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ' +
          "AND TABLE_NAME = 'users' AND COLUMN_NAME = 'id'",
      )) as { charset: string; collation: string }[];
      if (!/^\w+$/.test(users.charset) || !/^\w+$/.test(users.collation)) {
        throw new Error(`unexpected character set of users.id: ${JSON.stringify(users)}`);
      }
      await queryRunner.query(
        `ALTER TABLE \`password_reset_tokens\` CONVERT TO CHARACTER SET ${users.charset} ` +
          `COLLATE ${users.collation}`,
      );
    }
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
