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
exports.RefreshCookieOriginGuard = void 0;
exports.isAllowedOrigin = isAllowedOrigin;
const common_1 = require("@nestjs/common");
const errors_1 = require("../../common/errors");
const app_config_1 = require("../../config/app.config");
const refresh_token_extractor_1 = require("../strategies/refresh-token.extractor");
function normalizeOrigin(value) {
    try {
        const url = new URL(value);
        return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
    }
    catch {
        return null;
    }
}
function isAllowedOrigin(origin, ownOrigin, corsOrigins) {
    const presented = normalizeOrigin(origin);
    if (!presented)
        return false;
    const allowed = [ownOrigin, ...corsOrigins].filter((entry) => entry !== undefined);
    return allowed.some((entry) => normalizeOrigin(entry) === presented);
}
let RefreshCookieOriginGuard = class RefreshCookieOriginGuard {
    config;
    constructor(config) {
        this.config = config;
    }
    canActivate(context) {
        const request = context.switchToHttp().getRequest();
        const origin = request.headers.origin;
        if (origin === undefined || (0, refresh_token_extractor_1.presentedRefreshToken)(request)?.source !== 'cookie')
            return true;
        const ownOrigin = request.host ? `${request.protocol}://${request.host}` : undefined;
        if (isAllowedOrigin(origin, ownOrigin, this.config.corsOrigins))
            return true;
        throw new errors_1.AppException(errors_1.ErrorCode.Forbidden, 'Requests from this origin may not use the refresh cookie');
    }
};
exports.RefreshCookieOriginGuard = RefreshCookieOriginGuard;
exports.RefreshCookieOriginGuard = RefreshCookieOriginGuard = __decorate([
    (0, common_1.Injectable)(),
    __param(0, (0, common_1.Inject)(app_config_1.appConfig.KEY)),
    __metadata("design:paramtypes", [void 0])
], RefreshCookieOriginGuard);
//# sourceMappingURL=refresh-cookie-origin.guard.js.map