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
exports.AuthController = void 0;
const common_1 = require("@nestjs/common");
const swagger_1 = require("@nestjs/swagger");
const errors_1 = require("../common/errors");
const uuid_param_1 = require("../common/pipes/uuid-param");
const api_errors_decorator_1 = require("../common/swagger/api-errors.decorator");
const rate_limit_decorator_1 = require("../rate-limit/rate-limit.decorator");
const auth_service_1 = require("./auth.service");
const auth_decorator_1 = require("./decorators/auth.decorator");
const client_meta_decorator_1 = require("./decorators/client-meta.decorator");
const current_user_decorator_1 = require("./decorators/current-user.decorator");
const public_decorator_1 = require("./decorators/public.decorator");
const change_password_dto_1 = require("./dto/change-password.dto");
const login_dto_1 = require("./dto/login.dto");
const refresh_token_dto_1 = require("./dto/refresh-token.dto");
const register_dto_1 = require("./dto/register.dto");
const session_response_dto_1 = require("./dto/session-response.dto");
const jwt_refresh_guard_1 = require("./guards/jwt-refresh.guard");
const local_auth_guard_1 = require("./guards/local-auth.guard");
const refresh_cookie_origin_guard_1 = require("./guards/refresh-cookie-origin.guard");
const refresh_cookie_interceptor_1 = require("./refresh-cookie.interceptor");
const sessions_service_1 = require("./sessions.service");
const token_service_1 = require("./token.service");
const REFRESH_ERRORS = [
    errors_1.ErrorCode.RefreshTokenMissing,
    errors_1.ErrorCode.RefreshTokenInvalid,
    errors_1.ErrorCode.ValidationFailed,
    errors_1.ErrorCode.Forbidden,
];
const REFRESH_BODY = {
    type: refresh_token_dto_1.RefreshTokenDto,
    required: false,
    examples: {
        cookie: { summary: 'Token in the refresh_token cookie', value: {} },
        body: { summary: 'Token in the body', value: { refreshToken: 'eyJhbGciOiJIUzI1NiJ9…' } },
    },
};
let AuthController = class AuthController {
    auth;
    tokens;
    sessions;
    constructor(auth, tokens, sessions) {
        this.auth = auth;
        this.tokens = tokens;
        this.sessions = sessions;
    }
    register(dto, meta) {
        return this.auth.register(dto, meta);
    }
    login(user, meta) {
        return this.auth.login(user, meta);
    }
    refresh(presented, meta) {
        return this.tokens.rotate(presented, meta);
    }
    logout(presented, meta) {
        return this.tokens.logout(presented, meta);
    }
    logoutAll(user, meta) {
        return this.sessions.removeAll(user, meta);
    }
    findSessions(user) {
        return this.sessions.findAll(user);
    }
    removeSession(user, id, meta) {
        return this.sessions.remove(user, id, meta);
    }
    changePassword(user, dto, meta) {
        return this.auth.changePassword(user, dto, meta);
    }
};
exports.AuthController = AuthController;
__decorate([
    (0, public_decorator_1.Public)(),
    (0, rate_limit_decorator_1.RateLimit)('register'),
    (0, common_1.Post)('register'),
    (0, refresh_cookie_interceptor_1.IssuesTokens)(201),
    (0, swagger_1.ApiOperation)({ summary: 'Create an account and start a session' }),
    (0, api_errors_decorator_1.ApiErrors)(errors_1.ErrorCode.ValidationFailed, errors_1.ErrorCode.PasswordTooLong, errors_1.ErrorCode.EmailTaken),
    __param(0, (0, common_1.Body)()),
    __param(1, (0, client_meta_decorator_1.ClientMeta)()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [register_dto_1.RegisterDto, Object]),
    __metadata("design:returntype", Promise)
], AuthController.prototype, "register", null);
__decorate([
    (0, public_decorator_1.Public)(),
    (0, common_1.UseGuards)(local_auth_guard_1.LocalAuthGuard),
    (0, rate_limit_decorator_1.RateLimit)('login'),
    (0, common_1.Post)('login'),
    (0, refresh_cookie_interceptor_1.IssuesTokens)(200),
    (0, swagger_1.ApiOperation)({ summary: 'Log in with email and password' }),
    (0, swagger_1.ApiBody)({ type: login_dto_1.LoginDto }),
    (0, api_errors_decorator_1.ApiErrors)(errors_1.ErrorCode.ValidationFailed, errors_1.ErrorCode.PasswordTooLong, errors_1.ErrorCode.InvalidCredentials, errors_1.ErrorCode.UserDisabled),
    __param(0, (0, current_user_decorator_1.CurrentUser)()),
    __param(1, (0, client_meta_decorator_1.ClientMeta)()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, Object]),
    __metadata("design:returntype", Promise)
], AuthController.prototype, "login", null);
__decorate([
    (0, public_decorator_1.Public)(),
    (0, common_1.UseGuards)(refresh_cookie_origin_guard_1.RefreshCookieOriginGuard, jwt_refresh_guard_1.JwtRefreshGuard),
    (0, rate_limit_decorator_1.RateLimit)('refresh'),
    (0, common_1.Post)('refresh'),
    (0, refresh_cookie_interceptor_1.IssuesTokens)(200),
    (0, swagger_1.ApiOperation)({
        summary: 'Trade a refresh token for a new pair (the presented token is spent)',
        description: 'Send the token in the body or the refresh_token cookie. Within REFRESH_REUSE_GRACE of ' +
            'a rotation, the same token answers the same successor; later, reuse revokes the session.',
    }),
    (0, swagger_1.ApiCookieAuth)('refresh_token'),
    (0, swagger_1.ApiBody)(REFRESH_BODY),
    (0, api_errors_decorator_1.ApiErrors)(...REFRESH_ERRORS, errors_1.ErrorCode.RefreshTokenExpired, errors_1.ErrorCode.RefreshTokenRevoked, errors_1.ErrorCode.RefreshTokenReused, errors_1.ErrorCode.UserDisabled),
    __param(0, (0, current_user_decorator_1.CurrentUser)()),
    __param(1, (0, client_meta_decorator_1.ClientMeta)()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, Object]),
    __metadata("design:returntype", Promise)
], AuthController.prototype, "refresh", null);
__decorate([
    (0, public_decorator_1.Public)(),
    (0, common_1.UseGuards)(refresh_cookie_origin_guard_1.RefreshCookieOriginGuard, jwt_refresh_guard_1.JwtRefreshGuard),
    (0, common_1.Post)('logout'),
    (0, refresh_cookie_interceptor_1.ClearsRefreshCookie)('Session ended (also when it had ended already)'),
    (0, swagger_1.ApiOperation)({ summary: 'End the session of a refresh token and clear the cookie' }),
    (0, swagger_1.ApiCookieAuth)('refresh_token'),
    (0, swagger_1.ApiBody)(REFRESH_BODY),
    (0, api_errors_decorator_1.ApiErrors)(...REFRESH_ERRORS),
    __param(0, (0, current_user_decorator_1.CurrentUser)()),
    __param(1, (0, client_meta_decorator_1.ClientMeta)()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, Object]),
    __metadata("design:returntype", Promise)
], AuthController.prototype, "logout", null);
__decorate([
    (0, common_1.Post)('logout-all'),
    (0, auth_decorator_1.Auth)(),
    (0, refresh_cookie_interceptor_1.ClearsRefreshCookie)('All sessions ended'),
    (0, swagger_1.ApiOperation)({ summary: 'End every session of the caller' }),
    __param(0, (0, current_user_decorator_1.CurrentUser)()),
    __param(1, (0, client_meta_decorator_1.ClientMeta)()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, Object]),
    __metadata("design:returntype", Promise)
], AuthController.prototype, "logoutAll", null);
__decorate([
    (0, common_1.Get)('sessions'),
    (0, auth_decorator_1.Auth)(),
    (0, swagger_1.ApiOperation)({ summary: "The caller's active sessions" }),
    (0, swagger_1.ApiOkResponse)({ type: [session_response_dto_1.SessionResponseDto] }),
    __param(0, (0, current_user_decorator_1.CurrentUser)()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object]),
    __metadata("design:returntype", Promise)
], AuthController.prototype, "findSessions", null);
__decorate([
    (0, common_1.Delete)('sessions/:id'),
    (0, auth_decorator_1.Auth)(),
    (0, common_1.HttpCode)(204),
    (0, swagger_1.ApiNoContentResponse)({ description: 'Session ended' }),
    (0, swagger_1.ApiOperation)({ summary: "End one of the caller's sessions" }),
    (0, api_errors_decorator_1.ApiErrors)(errors_1.ErrorCode.ValidationFailed, errors_1.ErrorCode.NotFound),
    __param(0, (0, current_user_decorator_1.CurrentUser)()),
    __param(1, (0, uuid_param_1.UuidParam)('id')),
    __param(2, (0, client_meta_decorator_1.ClientMeta)()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, String, Object]),
    __metadata("design:returntype", Promise)
], AuthController.prototype, "removeSession", null);
__decorate([
    (0, common_1.Post)('change-password'),
    (0, auth_decorator_1.Auth)(),
    (0, refresh_cookie_interceptor_1.IssuesTokens)(200),
    (0, swagger_1.ApiOperation)({ summary: 'Change the password: every session ends, a new one starts' }),
    (0, api_errors_decorator_1.ApiErrors)(errors_1.ErrorCode.ValidationFailed, errors_1.ErrorCode.PasswordTooLong, errors_1.ErrorCode.InvalidCurrentPassword),
    __param(0, (0, current_user_decorator_1.CurrentUser)()),
    __param(1, (0, common_1.Body)()),
    __param(2, (0, client_meta_decorator_1.ClientMeta)()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, change_password_dto_1.ChangePasswordDto, Object]),
    __metadata("design:returntype", Promise)
], AuthController.prototype, "changePassword", null);
exports.AuthController = AuthController = __decorate([
    (0, swagger_1.ApiTags)('auth'),
    (0, common_1.Controller)('auth'),
    __metadata("design:paramtypes", [auth_service_1.AuthService,
        token_service_1.TokenService,
        sessions_service_1.SessionsService])
], AuthController);
//# sourceMappingURL=auth.controller.js.map