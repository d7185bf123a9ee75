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
exports.HealthController = void 0;
const common_1 = require("@nestjs/common");
const swagger_1 = require("@nestjs/swagger");
const terminus_1 = require("@nestjs/terminus");
const public_decorator_1 = require("../auth/decorators/public.decorator");
const PING_TIMEOUT_MS = 1_500;
let HealthController = class HealthController {
    health;
    db;
    constructor(health, db) {
        this.health = health;
        this.db = db;
    }
    async check(reply) {
        reply.header('Cache-Control', 'no-store');
        if (await this.databaseUp())
            return { status: 'ok', db: 'up' };
        reply.status(503);
        return { status: 'error', db: 'down' };
    }
    async databaseUp() {
        try {
            await this.health.check([() => this.db.pingCheck('database', { timeout: PING_TIMEOUT_MS })]);
            return true;
        }
        catch (error) {
            if (error instanceof common_1.ServiceUnavailableException)
                return false;
            throw error;
        }
    }
};
exports.HealthController = HealthController;
__decorate([
    (0, common_1.Get)(),
    (0, swagger_1.ApiOperation)({ summary: 'Readiness: 200 once the database answers, 503 while it does not' }),
    (0, swagger_1.ApiOkResponse)({ schema: { example: { status: 'ok', db: 'up' } } }),
    (0, swagger_1.ApiServiceUnavailableResponse)({ schema: { example: { status: 'error', db: 'down' } } }),
    __param(0, (0, common_1.Res)({ passthrough: true })),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object]),
    __metadata("design:returntype", Promise)
], HealthController.prototype, "check", null);
exports.HealthController = HealthController = __decorate([
    (0, swagger_1.ApiTags)('health'),
    (0, public_decorator_1.Public)(),
    (0, common_1.Controller)('health'),
    __metadata("design:paramtypes", [terminus_1.HealthCheckService,
        terminus_1.TypeOrmHealthIndicator])
], HealthController);
//# sourceMappingURL=health.controller.js.map