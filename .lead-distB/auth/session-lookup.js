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
exports.SessionLookup = exports.USER_COLUMNS = void 0;
const common_1 = require("@nestjs/common");
const typeorm_1 = require("@nestjs/typeorm");
const typeorm_2 = require("typeorm");
const entity_columns_1 = require("../database/entity-columns");
const user_entity_1 = require("../users/entities/user.entity");
const session_entity_1 = require("./entities/session.entity");
exports.USER_COLUMNS = [
    'id',
    'email',
    'name',
    'roles',
    'disabled',
    'created_at',
    'updated_at',
];
let SessionLookup = class SessionLookup {
    dataSource;
    sql;
    session;
    user;
    constructor(dataSource) {
        this.dataSource = dataSource;
        const q = (name) => dataSource.driver.escape(name);
        this.session = new entity_columns_1.EntityColumns(dataSource, session_entity_1.Session, 's', [
            'user_id',
            'expires_at',
            'revoked_at',
        ]);
        this.user = new entity_columns_1.EntityColumns(dataSource, user_entity_1.User, 'u', exports.USER_COLUMNS);
        this.sql =
            `SELECT ${this.session.select}, ${this.user.select} FROM ${q('sessions')} s ` +
                `INNER JOIN ${q('users')} u ON u.${q('id')} = s.${q('user_id')} WHERE s.${q('id')} = ?`;
    }
    async find(sid) {
        const rows = await this.dataSource.query(this.sql, [sid]);
        if (rows.length === 0)
            return null;
        const session = this.session.hydrate(rows[0]);
        return {
            id: sid,
            userId: session.userId,
            expiresAt: session.expiresAt,
            revokedAt: session.revokedAt,
            user: this.user.hydrate(rows[0]),
        };
    }
};
exports.SessionLookup = SessionLookup;
exports.SessionLookup = SessionLookup = __decorate([
    (0, common_1.Injectable)(),
    __param(0, (0, typeorm_1.InjectDataSource)()),
    __metadata("design:paramtypes", [typeorm_2.DataSource])
], SessionLookup);
//# sourceMappingURL=session-lookup.js.map