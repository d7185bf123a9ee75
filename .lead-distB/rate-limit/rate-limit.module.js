"use strict";
var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.RateLimitModule = void 0;
const common_1 = require("@nestjs/common");
const core_1 = require("@nestjs/core");
const throttler_1 = require("@nestjs/throttler");
const rate_limit_config_1 = require("../config/rate-limit.config");
const rate_limit_guard_1 = require("./rate-limit.guard");
const rate_limit_rules_1 = require("./rate-limit.rules");
const rate_limit_storage_1 = require("./rate-limit.storage");
const requestOf = (context) => context.switchToHttp().getRequest();
async function throttlerOptions(config) {
    return {
        throttlers: rate_limit_rules_1.RATE_LIMIT_RULES.map((rule) => ({
            name: rule.name,
            limit: rule.multiplier * config.limit,
            ttl: config.windowMs,
            skipIf: (context) => rule.key(requestOf(context)) === undefined,
            getTracker: (request) => rule.key(request) ?? '',
        })),
        storage: config.redisUrl ? await rate_limit_storage_1.RedisRateLimitStorage.connect(config.redisUrl) : undefined,
        setHeaders: false,
    };
}
let RateLimitModule = class RateLimitModule {
};
exports.RateLimitModule = RateLimitModule;
exports.RateLimitModule = RateLimitModule = __decorate([
    (0, common_1.Module)({
        imports: [
            throttler_1.ThrottlerModule.forRootAsync({
                inject: [rate_limit_config_1.rateLimitConfig.KEY],
                useFactory: throttlerOptions,
            }),
        ],
        providers: [{ provide: core_1.APP_GUARD, useClass: rate_limit_guard_1.RateLimitGuard }],
    })
], RateLimitModule);
//# sourceMappingURL=rate-limit.module.js.map