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
exports.RevokeSessionsCommand = void 0;
const common_1 = require("@nestjs/common");
const typeorm_1 = require("@nestjs/typeorm");
const typeorm_2 = require("typeorm");
const session_entity_1 = require("../../auth/entities/session.entity");
const token_service_1 = require("../../auth/token.service");
const audit_log_service_1 = require("../../common/audit/audit-log.service");
const clock_1 = require("../../common/clock");
const users_service_1 = require("../../users/users.service");
const operator_1 = require("../operator");
let RevokeSessionsCommand = class RevokeSessionsCommand {
    users;
    tokens;
    sessions;
    clock;
    audit;
    constructor(users, tokens, sessions, clock, audit) {
        this.users = users;
        this.tokens = tokens;
        this.sessions = sessions;
        this.clock = clock;
        this.audit = audit;
    }
    async run(email) {
        const user = await (0, operator_1.findUserByEmail)(this.users, email);
        const active = await this.sessions.countBy({
            userId: user.id,
            revokedAt: (0, typeorm_2.IsNull)(),
            refreshExpiresAt: (0, typeorm_2.MoreThan)(this.clock.now()),
        });
        await this.tokens.endAllSessions(user.id, 'admin');
        this.audit.record('admin.user.sessions_revoked', {
            actorId: (0, operator_1.operatorActorId)(),
            userId: user.id,
            ...operator_1.OPERATOR_CLIENT,
        });
        return `ended ${active} active session(s) of ${user.email} (id ${user.id})`;
    }
};
exports.RevokeSessionsCommand = RevokeSessionsCommand;
exports.RevokeSessionsCommand = RevokeSessionsCommand = __decorate([
    (0, common_1.Injectable)(),
    __param(2, (0, typeorm_1.InjectRepository)(session_entity_1.Session)),
    __metadata("design:paramtypes", [users_service_1.UsersService,
        token_service_1.TokenService,
        typeorm_2.Repository,
        clock_1.Clock,
        audit_log_service_1.AuditLog])
], RevokeSessionsCommand);
//# sourceMappingURL=revoke-sessions.command.js.map