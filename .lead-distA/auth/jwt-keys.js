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
exports.JwtKeys = exports.REFRESH_TOKEN_TYP = exports.ACCESS_TOKEN_TYP = void 0;
const common_1 = require("@nestjs/common");
const node_crypto_1 = require("node:crypto");
const auth_config_1 = require("../config/auth.config");
exports.ACCESS_TOKEN_TYP = 'at+jwt';
exports.REFRESH_TOKEN_TYP = 'rt+jwt';
let JwtKeys = class JwtKeys {
    access;
    refresh;
    issuer;
    audience;
    constructor(config) {
        this.access = (0, node_crypto_1.createSecretKey)(Buffer.from(config.accessSecret, 'utf8'));
        this.refresh = (0, node_crypto_1.createSecretKey)(Buffer.from(config.refreshSecret, 'utf8'));
        this.issuer = config.issuer;
        this.audience = config.audience;
    }
};
exports.JwtKeys = JwtKeys;
exports.JwtKeys = JwtKeys = __decorate([
    (0, common_1.Injectable)(),
    __param(0, (0, common_1.Inject)(auth_config_1.authConfig.KEY)),
    __metadata("design:paramtypes", [void 0])
], JwtKeys);
//# sourceMappingURL=jwt-keys.js.map