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
exports.TokenService = void 0;
const common_1 = require("@nestjs/common");
const typeorm_1 = require("@nestjs/typeorm");
const node_crypto_1 = require("node:crypto");
const typeorm_2 = require("typeorm");
const audit_log_service_1 = require("../common/audit/audit-log.service");
const clock_1 = require("../common/clock");
const errors_1 = require("../common/errors");
const time_1 = require("../common/time");
const auth_config_1 = require("../config/auth.config");
const refresh_token_entity_1 = require("./entities/refresh-token.entity");
const session_entity_1 = require("./entities/session.entity");
const session_lookup_1 = require("./session-lookup");
const token_signer_1 = require("./token-signer");
const token_store_1 = require("./token-store");
const NO_META = { ip: null, userAgent: null };
let TokenService = class TokenService {
    config;
    sessions;
    tokens;
    signer;
    clock;
    dataSource;
    sessionLookup;
    audit;
    store;
    constructor(config, sessions, tokens, signer, clock, dataSource, sessionLookup, audit, store) {
        this.config = config;
        this.sessions = sessions;
        this.tokens = tokens;
        this.signer = signer;
        this.clock = clock;
        this.dataSource = dataSource;
        this.sessionLookup = sessionLookup;
        this.audit = audit;
        this.store = store;
    }
    async startSession(user, meta) {
        const now = this.clock.now();
        const session = this.sessions.create({
            id: (0, node_crypto_1.randomUUID)(),
            userId: user.id,
            createdAt: now,
            lastUsedAt: now,
            expiresAt: (0, time_1.addSeconds)(now, this.config.sessionMaxTtl),
            refreshExpiresAt: (0, time_1.earliest)((0, time_1.addSeconds)(now, this.config.refreshTtl), (0, time_1.addSeconds)(now, this.config.sessionMaxTtl)),
            revokedAt: null,
            revokedReason: null,
            userAgent: meta.userAgent?.slice(0, 255) ?? null,
            ip: meta.ip?.slice(0, 45) ?? null,
        });
        await this.sessions.insert(session);
        const token = this.describeToken((0, node_crypto_1.randomUUID)(), null, session, now);
        await this.tokens.insert(token.row);
        const pair = this.signer.pair(user, session.id, token.jwt, token.row.expiresAt, now);
        return { sessionId: session.id, pair };
    }
    async rotate(presented, meta = NO_META) {
        const row = await this.findPresented(presented);
        if (!row)
            throw this.expired();
        const { session } = row;
        const user = session.user;
        if (user.disabled)
            throw new errors_1.AppException(errors_1.ErrorCode.UserDisabled, 'Account is disabled');
        if (session.revokedAt) {
            if (row.spentAt && session.revokedReason === 'reuse_detected')
                throw this.reused();
            throw new errors_1.AppException(errors_1.ErrorCode.RefreshTokenRevoked, 'Refresh token has been revoked');
        }
        const now = this.clock.now();
        if (session.expiresAt <= now)
            throw this.expired();
        if (row.spentAt)
            return this.replay(row, now, meta);
        if (row.expiresAt <= now)
            throw this.expired();
        const successor = this.describeToken(this.signer.successorId(row.id), row.id, session, now);
        if (await this.store.spend(row, successor.row, now)) {
            this.audit.record('auth.refresh', {
                userId: user.id,
                sessionId: session.id,
                grace: false,
                ...meta,
            });
            return this.signer.pair(user, session.id, successor.jwt, successor.row.expiresAt, now);
        }
        return this.replay(row, now, meta);
    }
    async replay(row, now, meta) {
        const { session } = row;
        const spentAt = row.spentAt ?? (await this.tokens.findOneBy({ id: row.id }))?.spentAt;
        if (!spentAt) {
            throw new errors_1.AppException(errors_1.ErrorCode.ServiceUnavailable, 'Refresh did not complete; retry');
        }
        const successor = this.describeToken(this.signer.successorId(row.id), row.id, session, spentAt);
        const live = await this.tokens.findOneBy({ id: successor.row.id });
        const graceEnds = (0, time_1.addSeconds)(spentAt, this.config.reuseGrace);
        if (this.config.reuseGrace === 0 || graceEnds <= now || live?.spentAt) {
            if (await this.endSession(session.id, 'reuse_detected')) {
                this.audit.record('auth.refresh.reuse_detected', {
                    userId: session.userId,
                    sessionId: session.id,
                    tokenId: row.id,
                    spentAt: spentAt.toISOString(),
                    ...meta,
                });
            }
            throw this.reused();
        }
        if (!live) {
            await this.store.restoreSuccessor(successor.row, spentAt);
        }
        this.audit.record('auth.refresh', {
            userId: session.userId,
            sessionId: session.id,
            grace: true,
            ...meta,
        });
        return this.signer.pair(session.user, session.id, successor.jwt, successor.row.expiresAt, now);
    }
    async logout(presented, meta = NO_META) {
        const row = await this.findPresented(presented);
        if (!row)
            return;
        const ended = await this.endSession(row.sessionId, 'logout');
        this.audit.record('auth.logout', {
            userId: row.session.userId,
            sessionId: row.sessionId,
            ended,
            ...meta,
        });
    }
    async checkAccess(sid, sub) {
        const session = await this.sessionLookup.find(sid);
        if (!session || session.userId !== sub) {
            throw new errors_1.AppException(errors_1.ErrorCode.TokenInvalid, 'Access token is invalid', 401, true);
        }
        if (session.user.disabled) {
            throw new errors_1.AppException(errors_1.ErrorCode.UserDisabled, 'Account is disabled', 401, true);
        }
        if (session.revokedAt || session.expiresAt <= this.clock.now()) {
            throw new errors_1.AppException(errors_1.ErrorCode.TokenRevoked, 'Session has ended', 401, true);
        }
        const { user } = session;
        return { id: user.id, email: user.email, roles: user.roles, sessionId: sid, account: user };
    }
    async endSession(sessionId, reason) {
        const result = await this.sessions.update({ id: sessionId, revokedAt: (0, typeorm_2.IsNull)() }, { revokedAt: this.clock.now(), revokedReason: reason });
        return result.affected === 1;
    }
    async endAllSessions(userId, reason) {
        await this.sessions.update({ userId, revokedAt: (0, typeorm_2.IsNull)() }, { revokedAt: this.clock.now(), revokedReason: reason });
    }
    async findPresented(presented) {
        const row = await this.store.find(presented.jti);
        if (!row && presented.exp <= (0, time_1.epochSeconds)(this.clock.now()))
            return null;
        const matches = row &&
            row.sessionId === presented.sid &&
            row.session.userId === presented.sub &&
            row.tokenHash === (0, token_signer_1.hashToken)(presented.token);
        if (!matches) {
            throw new errors_1.AppException(errors_1.ErrorCode.RefreshTokenInvalid, 'Refresh token is invalid');
        }
        return row;
    }
    expired() {
        return new errors_1.AppException(errors_1.ErrorCode.RefreshTokenExpired, 'Refresh token has expired');
    }
    reused() {
        return new errors_1.AppException(errors_1.ErrorCode.RefreshTokenReused, 'Refresh token was already used; the session has been revoked');
    }
    describeToken(id, parentId, session, issuedAt) {
        const { jwt, expiresAt } = this.signer.signRefresh(id, session, issuedAt);
        const row = this.tokens.create({
            id,
            sessionId: session.id,
            parentId,
            tokenHash: (0, token_signer_1.hashToken)(jwt),
            createdAt: issuedAt,
            expiresAt,
            spentAt: null,
        });
        return { jwt, row };
    }
};
exports.TokenService = TokenService;
exports.TokenService = TokenService = __decorate([
    (0, common_1.Injectable)(),
    __param(0, (0, common_1.Inject)(auth_config_1.authConfig.KEY)),
    __param(1, (0, typeorm_1.InjectRepository)(session_entity_1.Session)),
    __param(2, (0, typeorm_1.InjectRepository)(refresh_token_entity_1.RefreshToken)),
    __metadata("design:paramtypes", [void 0, typeorm_2.Repository,
        typeorm_2.Repository,
        token_signer_1.TokenSigner,
        clock_1.Clock,
        typeorm_2.DataSource,
        session_lookup_1.SessionLookup,
        audit_log_service_1.AuditLog,
        token_store_1.TokenStore])
], TokenService);
//# sourceMappingURL=token.service.js.map