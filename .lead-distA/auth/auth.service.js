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
var AuthService_1;
Object.defineProperty(exports, "__esModule", { value: true });
exports.AuthService = void 0;
const common_1 = require("@nestjs/common");
const audit_log_service_1 = require("../common/audit/audit-log.service");
const errors_1 = require("../common/errors");
const auth_config_1 = require("../config/auth.config");
const role_enum_1 = require("../users/enums/role.enum");
const users_service_1 = require("../users/users.service");
const password_hasher_service_1 = require("./password/password-hasher.service");
const token_service_1 = require("./token.service");
let AuthService = AuthService_1 = class AuthService {
    config;
    users;
    hasher;
    tokens;
    audit;
    logger = new common_1.Logger(AuthService_1.name);
    constructor(config, users, hasher, tokens, audit) {
        this.config = config;
        this.users = users;
        this.hasher = hasher;
        this.tokens = tokens;
        this.audit = audit;
    }
    async register(dto, meta) {
        if (await this.users.findByEmail(dto.email)) {
            throw new errors_1.AppException(errors_1.ErrorCode.EmailTaken, 'Email is already registered');
        }
        const user = await this.users.create({
            email: dto.email,
            passwordHash: await this.hasher.hash(dto.password),
            name: dto.name ?? null,
        });
        const { sessionId, pair } = await this.tokens.startSession(user, meta);
        this.audit.record('auth.register', { userId: user.id, sessionId, ...meta });
        return pair;
    }
    async validateCredentials(email, password, meta) {
        const user = await this.users.findByEmail(email);
        const matches = user
            ? await this.hasher.compare(password, user.passwordHash)
            : await this.hasher.compareWithDummy(password);
        if (!user || !matches) {
            this.audit.record('auth.login.failed', {
                reason: 'invalid_credentials',
                email,
                userId: user?.id ?? null,
                ...meta,
            });
            throw new errors_1.AppException(errors_1.ErrorCode.InvalidCredentials, 'Invalid email or password');
        }
        if (user.disabled) {
            this.audit.record('auth.login.failed', {
                reason: 'user_disabled',
                email,
                userId: user.id,
                ...meta,
            });
            throw new errors_1.AppException(errors_1.ErrorCode.UserDisabled, 'Account is disabled');
        }
        if (this.hasher.needsRehash(user.passwordHash)) {
            const upgraded = await this.hasher.hash(password);
            if (await this.users.replacePasswordHash(user.id, user.passwordHash, upgraded)) {
                user.passwordHash = upgraded;
            }
        }
        return user;
    }
    async login(user, meta) {
        const { sessionId, pair } = await this.tokens.startSession(user, meta);
        this.audit.record('auth.login.succeeded', { userId: user.id, sessionId, ...meta });
        return pair;
    }
    async changePassword(caller, dto, meta) {
        const user = await this.users.findOne(caller.id);
        const wrongPassword = () => {
            this.audit.record('auth.password.change_failed', {
                userId: user.id,
                sessionId: caller.sessionId,
                reason: 'invalid_current_password',
                ...meta,
            });
            return new errors_1.AppException(errors_1.ErrorCode.InvalidCurrentPassword, 'Current password is wrong');
        };
        if (!(await this.hasher.compare(dto.currentPassword, user.passwordHash))) {
            throw wrongPassword();
        }
        const newHash = await this.hasher.hash(dto.newPassword);
        if (!(await this.users.replacePasswordHash(user.id, user.passwordHash, newHash))) {
            throw wrongPassword();
        }
        await this.tokens.endAllSessions(user.id, 'password_change');
        const { sessionId, pair } = await this.tokens.startSession(user, meta);
        this.audit.record('auth.password.changed', { userId: user.id, sessionId, ...meta });
        return pair;
    }
    async onApplicationBootstrap() {
        const { adminEmail, adminPassword } = this.config;
        if (!adminEmail || !adminPassword || (await this.users.findByEmail(adminEmail)))
            return;
        try {
            await this.users.create({
                email: adminEmail,
                passwordHash: await this.hasher.hash(adminPassword),
                name: 'Administrator',
                roles: [role_enum_1.Role.User, role_enum_1.Role.Admin],
            });
            this.logger.log(`created admin account ${adminEmail}`);
        }
        catch (error) {
            if (!(error instanceof errors_1.AppException && error.code === errors_1.ErrorCode.EmailTaken))
                throw error;
        }
    }
};
exports.AuthService = AuthService;
exports.AuthService = AuthService = AuthService_1 = __decorate([
    (0, common_1.Injectable)(),
    __param(0, (0, common_1.Inject)(auth_config_1.authConfig.KEY)),
    __metadata("design:paramtypes", [void 0, users_service_1.UsersService,
        password_hasher_service_1.PasswordHasher,
        token_service_1.TokenService,
        audit_log_service_1.AuditLog])
], AuthService);
//# sourceMappingURL=auth.service.js.map