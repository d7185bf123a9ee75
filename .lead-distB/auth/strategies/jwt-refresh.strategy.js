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
exports.JwtRefreshStrategy = void 0;
const common_1 = require("@nestjs/common");
const passport_1 = require("@nestjs/passport");
const passport_jwt_1 = require("passport-jwt");
const errors_1 = require("../../common/errors");
const jwt_keys_1 = require("../jwt-keys");
const refresh_token_extractor_1 = require("./refresh-token.extractor");
let JwtRefreshStrategy = class JwtRefreshStrategy extends (0, passport_1.PassportStrategy)(passport_jwt_1.Strategy, 'jwt-refresh') {
    constructor(keys) {
        super({
            jwtFromRequest: (request) => (0, refresh_token_extractor_1.extractRefreshToken)(request),
            secretOrKey: keys.refresh,
            algorithms: ['HS256'],
            issuer: keys.issuer,
            audience: keys.audience,
            ignoreExpiration: true,
            passReqToCallback: true,
            jsonWebTokenOptions: { complete: true },
        });
    }
    validate(request, decoded) {
        const { header, payload } = decoded;
        const { sub, sid, jti, exp } = payload;
        if (header.typ !== jwt_keys_1.REFRESH_TOKEN_TYP ||
            typeof exp !== 'number' ||
            typeof sub !== 'string' ||
            typeof sid !== 'string' ||
            typeof jti !== 'string') {
            throw new errors_1.AppException(errors_1.ErrorCode.RefreshTokenInvalid, 'Refresh token is invalid');
        }
        return { token: (0, refresh_token_extractor_1.extractRefreshToken)(request), sub, sid, jti, exp };
    }
};
exports.JwtRefreshStrategy = JwtRefreshStrategy;
exports.JwtRefreshStrategy = JwtRefreshStrategy = __decorate([
    (0, common_1.Injectable)(),
    __metadata("design:paramtypes", [jwt_keys_1.JwtKeys])
], JwtRefreshStrategy);
//# sourceMappingURL=jwt-refresh.strategy.js.map