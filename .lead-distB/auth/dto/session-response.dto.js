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
exports.SessionResponseDto = void 0;
const swagger_1 = require("@nestjs/swagger");
class SessionResponseDto {
    id;
    createdAt;
    lastUsedAt;
    expiresAt;
    userAgent;
    ip;
    current;
    static from(session, currentSid) {
        return {
            id: session.id,
            createdAt: session.createdAt.toISOString(),
            lastUsedAt: session.lastUsedAt.toISOString(),
            expiresAt: session.refreshExpiresAt.toISOString(),
            userAgent: session.userAgent,
            ip: session.ip,
            current: session.id === currentSid,
        };
    }
}
exports.SessionResponseDto = SessionResponseDto;
__decorate([
    (0, swagger_1.ApiProperty)({ format: 'uuid', description: "The sid claim of this session's access tokens" }),
    __metadata("design:type", String)
], SessionResponseDto.prototype, "id", void 0);
__decorate([
    (0, swagger_1.ApiProperty)({ type: String, format: 'date-time' }),
    __metadata("design:type", String)
], SessionResponseDto.prototype, "createdAt", void 0);
__decorate([
    (0, swagger_1.ApiProperty)({ type: String, format: 'date-time', description: 'Login or last refresh' }),
    __metadata("design:type", String)
], SessionResponseDto.prototype, "lastUsedAt", void 0);
__decorate([
    (0, swagger_1.ApiProperty)({
        type: String,
        format: 'date-time',
        description: "When the session ends unless refreshed: its live refresh token's expiry",
    }),
    __metadata("design:type", String)
], SessionResponseDto.prototype, "expiresAt", void 0);
__decorate([
    (0, swagger_1.ApiProperty)({ type: String, nullable: true, example: 'Mozilla/5.0 (X11; Linux x86_64)' }),
    __metadata("design:type", Object)
], SessionResponseDto.prototype, "userAgent", void 0);
__decorate([
    (0, swagger_1.ApiProperty)({ type: String, nullable: true, example: '203.0.113.7' }),
    __metadata("design:type", Object)
], SessionResponseDto.prototype, "ip", void 0);
__decorate([
    (0, swagger_1.ApiProperty)({ description: 'True for the session of the access token making the call' }),
    __metadata("design:type", Boolean)
], SessionResponseDto.prototype, "current", void 0);
//# sourceMappingURL=session-response.dto.js.map