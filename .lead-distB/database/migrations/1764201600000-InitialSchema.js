"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.InitialSchema1764201600000 = void 0;
const typeorm_1 = require("typeorm");
const id = (name = 'id') => ({
    name,
    type: 'varchar',
    length: '36',
    isPrimary: name === 'id',
});
const time = (name, nullable = false) => ({
    name,
    type: 'datetime',
    precision: 3,
    isNullable: nullable,
});
const fk = (column, table) => ({
    columnNames: [column],
    referencedTableName: table,
    referencedColumnNames: ['id'],
    onDelete: 'CASCADE',
});
class InitialSchema1764201600000 {
    name = 'InitialSchema1764201600000';
    async up(queryRunner) {
        const mysql = queryRunner.connection.driver.options.type === 'mysql';
        await queryRunner.createTable(new typeorm_1.Table({
            name: 'users',
            columns: [
                id(),
                {
                    name: 'email',
                    type: 'varchar',
                    length: '254',
                    ...(mysql && { charset: 'utf8mb4', collation: 'utf8mb4_bin' }),
                },
                { name: 'password_hash', type: 'varchar', length: '60' },
                { name: 'name', type: 'varchar', length: '100', isNullable: true },
                { name: 'roles', type: 'varchar', length: '255' },
                { name: 'disabled', type: 'boolean', default: false },
                time('created_at'),
                time('updated_at'),
            ],
            indices: [{ name: 'uq_users_email', columnNames: ['email'], isUnique: true }],
        }));
        await queryRunner.createTable(new typeorm_1.Table({
            name: 'sessions',
            columns: [
                id(),
                id('user_id'),
                time('created_at'),
                time('last_used_at'),
                time('expires_at'),
                time('refresh_expires_at'),
                time('revoked_at', true),
                { name: 'revoked_reason', type: 'varchar', length: '32', isNullable: true },
                { name: 'user_agent', type: 'varchar', length: '255', isNullable: true },
                { name: 'ip', type: 'varchar', length: '45', isNullable: true },
            ],
            indices: [{ name: 'idx_sessions_user_id', columnNames: ['user_id'] }],
            foreignKeys: [fk('user_id', 'users')],
        }));
        await queryRunner.createTable(new typeorm_1.Table({
            name: 'refresh_tokens',
            columns: [
                id(),
                id('session_id'),
                { ...id('parent_id'), isNullable: true },
                { name: 'token_hash', type: 'varchar', length: '64' },
                time('created_at'),
                time('expires_at'),
                time('spent_at', true),
            ],
            indices: [
                { name: 'idx_refresh_tokens_session_id', columnNames: ['session_id'] },
                { name: 'uq_refresh_tokens_parent_id', columnNames: ['parent_id'], isUnique: true },
            ],
            foreignKeys: [fk('session_id', 'sessions')],
        }));
        await queryRunner.createTable(new typeorm_1.Table({
            name: 'articles',
            columns: [
                id(),
                { name: 'title', type: 'varchar', length: '200' },
                { name: 'body', type: mysql ? 'mediumtext' : 'text' },
                id('author_id'),
                time('created_at'),
                time('updated_at'),
            ],
            indices: [
                { name: 'idx_articles_author_id', columnNames: ['author_id'] },
                { name: 'idx_articles_created_at', columnNames: ['created_at'] },
            ],
            foreignKeys: [fk('author_id', 'users')],
        }));
    }
    async down(queryRunner) {
        for (const table of ['articles', 'refresh_tokens', 'sessions', 'users']) {
            await queryRunner.dropTable(table);
        }
    }
}
exports.InitialSchema1764201600000 = InitialSchema1764201600000;
//# sourceMappingURL=1764201600000-InitialSchema.js.map