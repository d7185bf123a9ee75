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
exports.JwtRefreshGuard = void 0;
const common_1 = require("@nestjs/common");
const core_1 = require("@nestjs/core");
const passport_1 = require("@nestjs/passport");
const errors_1 = require("../../common/errors");
const validate_body_1 = require("../../common/pipes/validate-body");
const auth_config_1 = require("../../config/auth.config");
const refresh_token_dto_1 = require("../dto/refresh-token.dto");
const refresh_cookie_interceptor_1 = require("../refresh-cookie.interceptor");
let JwtRefreshGuard = class JwtRefreshGuard extends (0, passport_1.AuthGuard)('jwt-refresh') {
    config;
    reflector;
    constructor(config, reflector) {
        super();
        this.config = config;
        this.reflector = reflector;
    }
    async canActivate(context) {
        const http = context.switchToHttp();
        try {
            await (0, validate_body_1.validateBody)(http.getRequest(), refresh_token_dto_1.RefreshTokenDto);
            return (await super.canActivate(context));
        }
        catch (error) {
            if (this.reflector.get(refresh_cookie_interceptor_1.CLEARS_COOKIE, context.getHandler())) {
                (0, refresh_cookie_interceptor_1.clearRefreshCookie)(http.getResponse(), this.config.secureCookie);
            }
            throw error;
        }
    }
    handleRequest(err, user, info) {
        if (err)
            throw err;
        if (user)
            return user;
        if (info?.message === 'No auth token') {
            throw new errors_1.AppException(errors_1.ErrorCode.RefreshTokenMissing, 'Refresh token required in body or cookie');
        }
        throw new errors_1.AppException(errors_1.ErrorCode.RefreshTokenInvalid, 'Refresh token is invalid');
    }
};
exports.JwtRefreshGuard = JwtRefreshGuard;
exports.JwtRefreshGuard = JwtRefreshGuard = __decorate([
    (0, common_1.Injectable)(),
    __param(0, (0, common_1.Inject)(auth_config_1.authConfig.KEY)),
    __metadata("design:paramtypes", [void 0, core_1.Reflector])
], JwtRefreshGuard);
//# sourceMappingURL=jwt-refresh.guard.js.map