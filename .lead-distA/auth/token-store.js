"use strict";
var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
var __param = (this && this.__param) || function (paramIndex, decorator) {
    return function (target, key) { decorator(target, key, paramIndex); }
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.TokenStore = void 0;
const common_1 = require("@nestjs/common");
const typeorm_1 = require("@nestjs/typeorm");
const typeorm_2 = require("typeorm");
const entity_columns_1 = require("../database/entity-columns");
const db_errors_1 = require("../database/db-errors");
const user_entity_1 = require("../users/entities/user.entity");
const refresh_token_entity_1 = require("./entities/refresh-token.entity");
const session_entity_1 = require("./entities/session.entity");
const session_lookup_1 = require("./session-lookup");
const TOKEN_COLUMNS = [
    'id',
    'session_id',
    'parent_id',
    'token_hash',
    'created_at',
    'expires_at',
    'spent_at',
];
const TOKEN_PROPERTIES = [
    'id',
    'sessionId',
    'parentId',
    'tokenHash',
    'createdAt',
    'expiresAt',
    'spentAt',
];
const SESSION_COLUMNS = ['id', 'user_id', 'expires_at', 'revoked_at', 'revoked_reason'];
let TokenStore = class TokenStore {
    dataSource;
    token;
    session;
    user;
    findSql;
    insertSql;
    touchSessionSql;
    mysql;
    sqliteSpend;
    constructor(dataSource) {
        this.dataSource = dataSource;
        const q = (name) => dataSource.driver.escape(name);
        this.mysql = dataSource.options.type === 'mysql';
        this.token = new entity_columns_1.EntityColumns(dataSource, refresh_token_entity_1.RefreshToken, 't', TOKEN_COLUMNS);
        this.session = new entity_columns_1.EntityColumns(dataSource, session_entity_1.Session, 's', SESSION_COLUMNS);
        this.user = new entity_columns_1.EntityColumns(dataSource, user_entity_1.User, 'u', session_lookup_1.USER_COLUMNS);
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
    async find(id) {
        const rows = await this.dataSource.query(this.findSql, [id]);
        if (rows.length === 0)
            return null;
        const token = this.token.hydrate(rows[0]);
        token.session = this.session.hydrate(rows[0]);
        token.session.user = this.user.hydrate(rows[0]);
        return token;
    }
    spend(parent, successor, now) {
        const params = {
            now: this.token.persist('spentAt', now),
            parentId: parent.id,
            sessionId: parent.sessionId,
            refreshExpiresAt: this.session.persist('refreshExpiresAt', successor.expiresAt),
            successor: this.successorValues(successor),
        };
        return this.mysql ? this.spendOnMysql(params) : Promise.resolve(this.spendOnSqlite(params));
    }
    async restoreSuccessor(successor, spentAt) {
        await this.insertIgnoringDuplicate(this.dataSource, this.successorValues(successor));
        await this.dataSource.query(this.touchSessionSql, [
            this.session.persist('lastUsedAt', spentAt),
            this.session.persist('refreshExpiresAt', successor.expiresAt),
            successor.sessionId,
        ]);
    }
    successorValues(successor) {
        return TOKEN_PROPERTIES.map((p) => this.token.persist(p, successor[p]));
    }
    async insertIgnoringDuplicate(on, values) {
        try {
            await on.query(this.insertSql, values);
        }
        catch (error) {
            if (!(0, db_errors_1.isUniqueViolation)(error))
                throw error;
        }
    }
    async spendOnMysql(params) {
        const runner = this.dataSource.createQueryRunner();
        try {
            await runner.startTransaction();
            const spent = await runner.query('UPDATE `refresh_tokens` t INNER JOIN `sessions` s ON s.`id` = t.`session_id` ' +
                'SET t.`spent_at` = ?, s.`last_used_at` = ?, s.`refresh_expires_at` = ? ' +
                'WHERE t.`id` = ? AND t.`spent_at` IS NULL', [params.now, params.now, params.refreshExpiresAt, params.parentId], true);
            if (!spent.affected) {
                await runner.rollbackTransaction();
                return false;
            }
            await this.insertIgnoringDuplicate(runner, params.successor);
            await runner.commitTransaction();
            return true;
        }
        catch (error) {
            if (runner.isTransactionActive)
                await runner.rollbackTransaction().catch(() => undefined);
            throw error;
        }
        finally {
            await runner.release();
        }
    }
    spendOnSqlite(params) {
        this.sqliteSpend ??= this.prepareSqliteSpend();
        return this.sqliteSpend(params);
    }
    prepareSqliteSpend() {
        const db = this.dataSource.driver
            .databaseConnection;
        const spendParent = db.prepare('UPDATE "refresh_tokens" SET "spent_at" = ? WHERE "id" = ? AND "spent_at" IS NULL');
        const touchSession = db.prepare(this.touchSessionSql);
        const insertSuccessor = db.prepare(this.insertSql.replace('INSERT INTO', 'INSERT OR IGNORE INTO'));
        return db.transaction((params) => {
            if (spendParent.run(params.now, params.parentId).changes !== 1)
                return false;
            touchSession.run(params.now, params.refreshExpiresAt, params.sessionId);
            insertSuccessor.run(...params.successor);
            return true;
        });
    }
};
exports.TokenStore = TokenStore;
exports.TokenStore = TokenStore = __decorate([
    (0, common_1.Injectable)(),
    __param(0, (0, typeorm_1.InjectDataSource)()),
    __metadata("design:paramtypes", [typeorm_2.DataSource])
], TokenStore);
//# sourceMappingURL=token-store.js.map