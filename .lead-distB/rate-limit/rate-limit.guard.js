"use strict";
var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.RateLimitGuard = void 0;
const common_1 = require("@nestjs/common");
const throttler_1 = require("@nestjs/throttler");
const node_crypto_1 = require("node:crypto");
const errors_1 = require("../common/errors");
const rate_limit_decorator_1 = require("./rate-limit.decorator");
let RateLimitGuard = class RateLimitGuard extends throttler_1.ThrottlerGuard {
    shouldSkip(context) {
        return Promise.resolve(!this.reflector.get(rate_limit_decorator_1.RATE_LIMIT_KEY, context.getHandler()));
    }
    generateKey(_context, tracker, name) {
        return `auth-rate:${name}:${(0, node_crypto_1.createHash)('sha256').update(tracker).digest('base64url')}`;
    }
    throwThrottlingException(context, detail) {
        const seconds = Math.max(1, Math.ceil(detail.timeToBlockExpire));
        context.switchToHttp().getResponse().header('Retry-After', String(seconds));
        throw new errors_1.AppException(errors_1.ErrorCode.TooManyRequests, `Too many attempts; retry in ${seconds} second${seconds === 1 ? '' : 's'}`);
    }
};
exports.RateLimitGuard = RateLimitGuard;
exports.RateLimitGuard = RateLimitGuard = __decorate([
    (0, common_1.Injectable)()
], RateLimitGuard);
//# sourceMappingURL=rate-limit.guard.js.map