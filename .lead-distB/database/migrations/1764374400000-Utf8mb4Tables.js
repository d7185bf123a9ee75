"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.Utf8mb4Tables1764374400000 = void 0;
const TABLES = ['users', 'sessions', 'refresh_tokens', 'articles'];
class Utf8mb4Tables1764374400000 {
    name = 'Utf8mb4Tables1764374400000';
    async up(queryRunner) {
        if (queryRunner.connection.driver.options.type !== 'mysql')
            return;
        const rows = await queryRunner.query(`SELECT TABLE_NAME AS name, TABLE_COLLATION AS collation FROM information_schema.TABLES
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?, ?, ?, ?)`, TABLES);
        const legacy = rows.filter((row) => !row.collation?.startsWith('utf8mb4'));
        if (legacy.length === 0)
            return;
        const foreignKeys = [];
        for (const name of TABLES) {
            const table = await queryRunner.getTable(name);
            if (!table || table.foreignKeys.length === 0)
                continue;
            foreignKeys.push({ table: name, keys: table.foreignKeys.map((key) => key.clone()) });
            await queryRunner.dropForeignKeys(table, table.foreignKeys);
        }
        for (const { name } of legacy) {
            await queryRunner.query(`ALTER TABLE \`${name}\` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
        }
        await queryRunner.query('ALTER TABLE `users` MODIFY `email` varchar(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL');
        for (const { table, keys } of foreignKeys) {
            await queryRunner.createForeignKeys(table, keys);
        }
    }
    async down() {
    }
}
exports.Utf8mb4Tables1764374400000 = Utf8mb4Tables1764374400000;
//# sourceMappingURL=1764374400000-Utf8mb4Tables.js.map