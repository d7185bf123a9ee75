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
exports.SessionsService = void 0;
const common_1 = require("@nestjs/common");
const typeorm_1 = require("@nestjs/typeorm");
const typeorm_2 = require("typeorm");
const audit_log_service_1 = require("../common/audit/audit-log.service");
const clock_1 = require("../common/clock");
const errors_1 = require("../common/errors");
const session_response_dto_1 = require("./dto/session-response.dto");
const session_entity_1 = require("./entities/session.entity");
const token_service_1 = require("./token.service");
let SessionsService = class SessionsService {
    sessions;
    tokens;
    clock;
    audit;
    constructor(sessions, tokens, clock, audit) {
        this.sessions = sessions;
        this.tokens = tokens;
        this.clock = clock;
        this.audit = audit;
    }
    async findAll(caller) {
        const active = await this.sessions.find({
            where: {
                userId: caller.id,
                revokedAt: (0, typeorm_2.IsNull)(),
                refreshExpiresAt: (0, typeorm_2.MoreThan)(this.clock.now()),
            },
            order: { lastUsedAt: 'DESC' },
        });
        return active.map((session) => session_response_dto_1.SessionResponseDto.from(session, caller.sessionId));
    }
    async remove(caller, id, meta) {
        const session = await this.sessions.findOneBy({ id, userId: caller.id });
        if (!session)
            throw new errors_1.AppException(errors_1.ErrorCode.NotFound, 'Session not found');
        await this.tokens.endSession(id, 'deleted');
        this.audit.record('auth.session.deleted', {
            userId: caller.id,
            sessionId: id,
            callerSessionId: caller.sessionId,
            ...meta,
        });
    }
    async removeAll(caller, meta) {
        await this.tokens.endAllSessions(caller.id, 'logout_all');
        this.audit.record('auth.logout_all', {
            userId: caller.id,
            sessionId: caller.sessionId,
            ...meta,
        });
    }
};
exports.SessionsService = SessionsService;
exports.SessionsService = SessionsService = __decorate([
    (0, common_1.Injectable)(),
    __param(0, (0, typeorm_1.InjectRepository)(session_entity_1.Session)),
    __metadata("design:paramtypes", [typeorm_2.Repository,
        token_service_1.TokenService,
        clock_1.Clock,
        audit_log_service_1.AuditLog])
], SessionsService);
//# sourceMappingURL=sessions.service.js.map