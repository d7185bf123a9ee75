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
exports.ListSessionsCommand = void 0;
const common_1 = require("@nestjs/common");
const typeorm_1 = require("@nestjs/typeorm");
const typeorm_2 = require("typeorm");
const session_entity_1 = require("../../auth/entities/session.entity");
const clock_1 = require("../../common/clock");
const users_service_1 = require("../../users/users.service");
const operator_1 = require("../operator");
const table_1 = require("../table");
const USER_AGENT_COLUMN = 50;
const shortTime = (iso) => iso.replace(/\.\d{3}Z$/, 'Z');
let ListSessionsCommand = class ListSessionsCommand {
    users;
    sessions;
    clock;
    constructor(users, sessions, clock) {
        this.users = users;
        this.sessions = sessions;
        this.clock = clock;
    }
    async run(email, options) {
        const user = await (0, operator_1.findUserByEmail)(this.users, email);
        const now = this.clock.now();
        const where = options.all
            ? { userId: user.id }
            : { userId: user.id, revokedAt: (0, typeorm_2.IsNull)(), refreshExpiresAt: (0, typeorm_2.MoreThan)(now) };
        const rows = await this.sessions.find({
            where,
            order: { lastUsedAt: 'DESC', createdAt: 'DESC' },
        });
        const records = rows.map((session) => toRecord(session, now));
        if (options.json)
            return JSON.stringify(records, null, 2);
        const active = records.filter((record) => record.status === 'active').length;
        const summary = options.all
            ? `${user.email}: ${records.length} stored session(s), ${active} active`
            : `${user.email}: ${active} active session(s)`;
        if (records.length === 0)
            return summary;
        const table = (0, table_1.formatTable)(['ID', 'STATUS', 'CREATED', 'LAST USED', 'EXPIRES', 'IP', 'USER AGENT'], records.map((record) => [
            record.id,
            record.revokedReason ? `revoked (${record.revokedReason})` : record.status,
            shortTime(record.createdAt),
            shortTime(record.lastUsedAt),
            shortTime(record.expiresAt),
            printable(record.ip ?? '-', 45),
            printable(record.userAgent ?? '-', USER_AGENT_COLUMN),
        ]));
        return `${table}\n${summary}`;
    }
};
exports.ListSessionsCommand = ListSessionsCommand;
exports.ListSessionsCommand = ListSessionsCommand = __decorate([
    (0, common_1.Injectable)(),
    __param(1, (0, typeorm_1.InjectRepository)(session_entity_1.Session)),
    __metadata("design:paramtypes", [users_service_1.UsersService,
        typeorm_2.Repository,
        clock_1.Clock])
], ListSessionsCommand);
function toRecord(session, now) {
    const status = session.revokedAt
        ? 'revoked'
        : session.refreshExpiresAt <= now
            ? 'expired'
            : 'active';
    return {
        id: session.id,
        status,
        createdAt: session.createdAt.toISOString(),
        lastUsedAt: session.lastUsedAt.toISOString(),
        expiresAt: session.refreshExpiresAt.toISOString(),
        endsAt: session.expiresAt.toISOString(),
        revokedAt: session.revokedAt?.toISOString() ?? null,
        revokedReason: session.revokedReason,
        ip: session.ip,
        userAgent: session.userAgent,
    };
}
function printable(text, max) {
    const chars = Array.from(text.replace(/[\p{Cc}\p{Cf}]/gu, '?'));
    return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('');
}
//# sourceMappingURL=list-sessions.command.js.map