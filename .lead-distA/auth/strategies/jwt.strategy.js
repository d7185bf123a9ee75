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
exports.JwtStrategy = void 0;
const common_1 = require("@nestjs/common");
const passport_1 = require("@nestjs/passport");
const passport_jwt_1 = require("passport-jwt");
const errors_1 = require("../../common/errors");
const jwt_keys_1 = require("../jwt-keys");
const token_service_1 = require("../token.service");
let JwtStrategy = class JwtStrategy extends (0, passport_1.PassportStrategy)(passport_jwt_1.Strategy, 'jwt') {
    tokens;
    constructor(keys, tokens) {
        super({
            jwtFromRequest: passport_jwt_1.ExtractJwt.fromAuthHeaderAsBearerToken(),
            secretOrKey: keys.access,
            algorithms: ['HS256'],
            issuer: keys.issuer,
            audience: keys.audience,
            ignoreExpiration: false,
            jsonWebTokenOptions: { complete: true },
        });
        this.tokens = tokens;
    }
    async validate(decoded) {
        const { header, payload } = decoded;
        const wellFormed = header.typ === jwt_keys_1.ACCESS_TOKEN_TYP &&
            typeof payload.exp === 'number' &&
            typeof payload.sub === 'string' &&
            typeof payload.sid === 'string';
        if (!wellFormed) {
            throw new errors_1.AppException(errors_1.ErrorCode.TokenInvalid, 'Access token is invalid', 401, true);
        }
        return this.tokens.checkAccess(payload.sid, payload.sub);
    }
};
exports.JwtStrategy = JwtStrategy;
exports.JwtStrategy = JwtStrategy = __decorate([
    (0, common_1.Injectable)(),
    __metadata("design:paramtypes", [jwt_keys_1.JwtKeys,
        token_service_1.TokenService])
], JwtStrategy);
//# sourceMappingURL=jwt.strategy.js.map