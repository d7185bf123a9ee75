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
exports.TokenSigner = void 0;
exports.hashToken = hashToken;
const common_1 = require("@nestjs/common");
const jwt_1 = require("@nestjs/jwt");
const node_crypto_1 = require("node:crypto");
const time_1 = require("../common/time");
const auth_config_1 = require("../config/auth.config");
const user_response_dto_1 = require("../users/dto/user-response.dto");
const jwt_keys_1 = require("./jwt-keys");
function hashToken(token) {
    return (0, node_crypto_1.createHash)('sha256').update(token).digest('hex');
}
let TokenSigner = class TokenSigner {
    config;
    jwt;
    keys;
    constructor(config, jwt, keys) {
        this.config = config;
        this.jwt = jwt;
        this.keys = keys;
    }
    successorId(parentId) {
        const bytes = (0, node_crypto_1.createHmac)('sha256', this.keys.refresh).update(`successor:${parentId}`).digest();
        bytes[6] = (bytes[6] & 0x0f) | 0x80;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        const hex = bytes.subarray(0, 16).toString('hex');
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
    signRefresh(id, session, issuedAt) {
        const expiresAt = (0, time_1.earliest)((0, time_1.addSeconds)(issuedAt, this.config.refreshTtl), session.expiresAt);
        const payload = {
            sub: session.userId,
            sid: session.id,
            iat: (0, time_1.epochSeconds)(issuedAt),
            exp: (0, time_1.epochSeconds)(expiresAt),
        };
        const jwt = this.jwt.sign(payload, {
            secret: this.keys.refresh,
            algorithm: 'HS256',
            header: { alg: 'HS256', typ: jwt_keys_1.REFRESH_TOKEN_TYP },
            issuer: this.keys.issuer,
            audience: this.keys.audience,
            jwtid: id,
        });
        return { jwt, expiresAt };
    }
    pair(user, sid, refreshToken, refreshEnds, now) {
        const accessToken = this.jwt.sign({ sub: user.id, sid, roles: user.roles }, {
            secret: this.keys.access,
            algorithm: 'HS256',
            header: { alg: 'HS256', typ: jwt_keys_1.ACCESS_TOKEN_TYP },
            issuer: this.keys.issuer,
            audience: this.keys.audience,
            expiresIn: this.config.accessTtl,
            jwtid: (0, node_crypto_1.randomUUID)(),
        });
        return {
            tokenType: 'Bearer',
            accessToken,
            expiresIn: this.config.accessTtl,
            refreshToken,
            refreshExpiresIn: Math.max(0, (0, time_1.epochSeconds)(refreshEnds) - (0, time_1.epochSeconds)(now)),
            user: user_response_dto_1.UserResponseDto.from(user),
        };
    }
};
exports.TokenSigner = TokenSigner;
exports.TokenSigner = TokenSigner = __decorate([
    (0, common_1.Injectable)(),
    __param(0, (0, common_1.Inject)(auth_config_1.authConfig.KEY)),
    __metadata("design:paramtypes", [void 0, jwt_1.JwtService,
        jwt_keys_1.JwtKeys])
], TokenSigner);
//# sourceMappingURL=token-signer.js.map