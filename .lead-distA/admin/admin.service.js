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
Object.defineProperty(exports, "__esModule", { value: true });
exports.AdminService = void 0;
const common_1 = require("@nestjs/common");
const token_service_1 = require("../auth/token.service");
const audit_log_service_1 = require("../common/audit/audit-log.service");
const users_service_1 = require("../users/users.service");
const sameRoles = (a, b) => a.length === b.length && a.every((role) => b.includes(role));
let AdminService = class AdminService {
    users;
    tokens;
    audit;
    constructor(users, tokens, audit) {
        this.users = users;
        this.tokens = tokens;
        this.audit = audit;
    }
    async update(actor, id, dto, meta) {
        const before = await this.users.findOne(id);
        const user = await this.users.update(id, dto);
        if (dto.disabled)
            await this.tokens.endAllSessions(id, 'user_disabled');
        const who = { actorId: actor.id, userId: id, ...meta };
        if (!sameRoles(before.roles, user.roles)) {
            this.audit.record('admin.user.roles_changed', {
                ...who,
                previousRoles: before.roles,
                roles: user.roles,
            });
        }
        if (before.disabled !== user.disabled) {
            this.audit.record(user.disabled ? 'admin.user.disabled' : 'admin.user.enabled', who);
        }
        return user;
    }
    async removeSessions(actor, id, meta) {
        await this.users.findOne(id);
        await this.tokens.endAllSessions(id, 'admin');
        this.audit.record('admin.user.sessions_revoked', { actorId: actor.id, userId: id, ...meta });
    }
};
exports.AdminService = AdminService;
exports.AdminService = AdminService = __decorate([
    (0, common_1.Injectable)(),
    __metadata("design:paramtypes", [users_service_1.UsersService,
        token_service_1.TokenService,
        audit_log_service_1.AuditLog])
], AdminService);
//# sourceMappingURL=admin.service.js.map