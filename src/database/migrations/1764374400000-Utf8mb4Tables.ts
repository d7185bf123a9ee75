import { MigrationInterface, QueryRunner, TableForeignKey } from 'typeorm';

const TABLES = ['users', 'sessions', 'refresh_tokens', 'articles'];

/**
 * MySQL/MariaDB only: every table in utf8mb4, whatever the database's default character set.
 * The initial migration created its tables in the database's default, so on a database
 * created as latin1 or utf8mb3 an emoji in a name or an article was refused with a 500
 * ("Incorrect string value"). Tables already in utf8mb4 (the usual case, and every database
 * created as the README says) are left alone, so this rebuilds nothing there. The email keeps
 * its binary collation (see the initial migration).
 */
export class Utf8mb4Tables1764374400000 implements MigrationInterface {
  name = 'Utf8mb4Tables1764374400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type !== 'mysql') return;
    const rows: { name: string; collation: string | null }[] = await queryRunner.query(
      `SELECT TABLE_NAME AS name, TABLE_COLLATION AS collation FROM information_schema.TABLES
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?, ?, ?, ?)`,
      TABLES,
    );
    const legacy = rows.filter((row) => !row.collation?.startsWith('utf8mb4'));
    if (legacy.length === 0) return;
    // Foreign keys join varchar ids across tables, and MySQL/MariaDB refuse to change the
    // character set of a column a foreign key uses: drop them, convert, put them back.
    const foreignKeys: { table: string; keys: TableForeignKey[] }[] = [];
    for (const name of TABLES) {
      const table = await queryRunner.getTable(name);
      if (!table || table.foreignKeys.length === 0) continue;
      foreignKeys.push({ table: name, keys: table.foreignKeys.map((key) => key.clone()) });
      await queryRunner.dropForeignKeys(table, table.foreignKeys);
    }
    for (const { name } of legacy) {
      await queryRunner.query(
        `ALTER TABLE \`${name}\` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
      );
    }
    await queryRunner.query(
      'ALTER TABLE `users` MODIFY `email` varchar(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL',
    );
    for (const { table, keys } of foreignKeys) {
      await queryRunner.createForeignKeys(table, keys);
    }
  }

  async down(): Promise<void> {
    // Nothing to undo: going back to a character set that cannot hold the data would lose it.
  }
}
