import { QueryRunner, TableColumnOptions } from 'typeorm';

/** A `datetime(3)` column, the type of every timestamp in the schema. */
export const timeColumn = (name: string, isNullable = false): TableColumnOptions => ({
  name,
  type: 'datetime',
  precision: 3,
  isNullable,
});

/**
 * On MySQL, gives `table` the character set and collation of `users` (utf8mb4 since
 * Utf8mb4Tables, whatever the database's default): a foreign key between string columns of two
 * character sets or collations cannot be made. Nothing to do on SQLite.
 */
export async function matchUsersCharset(queryRunner: QueryRunner, table: string): Promise<void> {
  if (queryRunner.connection.driver.options.type !== 'mysql') return;
  const [users] = (await queryRunner.query(
    'SELECT CHARACTER_SET_NAME AS charset, COLLATION_NAME AS collation ' +
      'FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ' +
      "AND TABLE_NAME = 'users' AND COLUMN_NAME = 'id'",
  )) as { charset: string; collation: string }[];
  if (!/^\w+$/.test(users.charset) || !/^\w+$/.test(users.collation)) {
    throw new Error(`unexpected character set of users.id: ${JSON.stringify(users)}`);
  }
  await queryRunner.query(
    `ALTER TABLE \`${table}\` CONVERT TO CHARACTER SET ${users.charset} COLLATE ${users.collation}`,
  );
}
