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
exports.ClearsRefreshCookie = exports.IssuesTokens = exports.RefreshCookieInterceptor = exports.CLEARS_COOKIE = void 0;
exports.clearRefreshCookie = clearRefreshCookie;
const common_1 = require("@nestjs/common");
const core_1 = require("@nestjs/core");
const swagger_1 = require("@nestjs/swagger");
const rxjs_1 = require("rxjs");
const auth_config_1 = require("../config/auth.config");
const token_pair_dto_1 = require("./dto/token-pair.dto");
const refresh_token_extractor_1 = require("./strategies/refresh-token.extractor");
const COOKIE_PATH = '/api/auth';
exports.CLEARS_COOKIE = 'clearsRefreshCookie';
const cookieOptions = (secure) => ({
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: COOKIE_PATH,
});
function clearRefreshCookie(reply, secure) {
    reply.header('Cache-Control', 'no-store');
    reply.clearCookie(refresh_token_extractor_1.REFRESH_COOKIE, cookieOptions(secure));
}
let RefreshCookieInterceptor = class RefreshCookieInterceptor {
    config;
    reflector;
    constructor(config, reflector) {
        this.config = config;
        this.reflector = reflector;
    }
    intercept(context, next) {
        const reply = context.switchToHttp().getResponse();
        const secure = this.config.secureCookie;
        if (this.reflector.get(exports.CLEARS_COOKIE, context.getHandler())) {
            const clear = () => clearRefreshCookie(reply, secure);
            return next.handle().pipe((0, rxjs_1.tap)({ next: clear, error: clear }));
        }
        return next.handle().pipe((0, rxjs_1.map)((result) => {
            const pair = result;
            reply.header('Cache-Control', 'no-store');
            reply.header('Pragma', 'no-cache');
            reply.setCookie(refresh_token_extractor_1.REFRESH_COOKIE, pair.refreshToken, {
                ...cookieOptions(secure),
                maxAge: pair.refreshExpiresIn,
            });
            return result;
        }));
    }
};
exports.RefreshCookieInterceptor = RefreshCookieInterceptor;
exports.RefreshCookieInterceptor = RefreshCookieInterceptor = __decorate([
    (0, common_1.Injectable)(),
    __param(0, (0, common_1.Inject)(auth_config_1.authConfig.KEY)),
    __metadata("design:paramtypes", [void 0, core_1.Reflector])
], RefreshCookieInterceptor);
const IssuesTokens = (status) => (0, common_1.applyDecorators)((0, common_1.HttpCode)(status), (0, common_1.UseInterceptors)(RefreshCookieInterceptor), (0, swagger_1.ApiResponse)({ status, type: token_pair_dto_1.TokenPairDto }));
exports.IssuesTokens = IssuesTokens;
const ClearsRefreshCookie = (description) => (0, common_1.applyDecorators)((0, common_1.HttpCode)(204), (0, common_1.SetMetadata)(exports.CLEARS_COOKIE, true), (0, common_1.UseInterceptors)(RefreshCookieInterceptor), (0, swagger_1.ApiNoContentResponse)({ description }));
exports.ClearsRefreshCookie = ClearsRefreshCookie;
//# sourceMappingURL=refresh-cookie.interceptor.js.map