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
exports.MetricsController = void 0;
const common_1 = require("@nestjs/common");
const swagger_1 = require("@nestjs/swagger");
const auth_decorator_1 = require("../auth/decorators/auth.decorator");
const public_decorator_1 = require("../auth/decorators/public.decorator");
const errors_1 = require("../common/errors");
const api_errors_decorator_1 = require("../common/swagger/api-errors.decorator");
const metrics_access_guard_1 = require("./metrics-access.guard");
const metrics_service_1 = require("./metrics.service");
let MetricsController = class MetricsController {
    metrics;
    constructor(metrics) {
        this.metrics = metrics;
    }
    async scrape(reply) {
        const { contentType, body } = await this.metrics.scrape();
        void reply.header('Content-Type', contentType).header('Cache-Control', 'no-store');
        return body;
    }
};
exports.MetricsController = MetricsController;
__decorate([
    (0, common_1.Get)(),
    (0, swagger_1.ApiOperation)({
        summary: 'Prometheus metrics (text format); admin only unless METRICS_PUBLIC=true',
    }),
    (0, swagger_1.ApiBearerAuth)(),
    (0, swagger_1.ApiProduces)('text/plain'),
    (0, swagger_1.ApiOkResponse)({
        description: 'Prometheus text exposition format 0.0.4',
        content: { 'text/plain': { schema: { type: 'string' } } },
    }),
    (0, api_errors_decorator_1.ApiErrors)(...auth_decorator_1.ACCESS_TOKEN_ERRORS, errors_1.ErrorCode.Forbidden),
    __param(0, (0, common_1.Res)({ passthrough: true })),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object]),
    __metadata("design:returntype", Promise)
], MetricsController.prototype, "scrape", null);
exports.MetricsController = MetricsController = __decorate([
    (0, swagger_1.ApiTags)('metrics'),
    (0, public_decorator_1.Public)(),
    (0, common_1.UseGuards)(metrics_access_guard_1.MetricsAccessGuard),
    (0, common_1.Controller)('metrics'),
    __metadata("design:paramtypes", [metrics_service_1.Metrics])
], MetricsController);
//# sourceMappingURL=metrics.controller.js.map