"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.RATE_LIMIT_KEY = void 0;
exports.RateLimit = RateLimit;
const common_1 = require("@nestjs/common");
const swagger_1 = require("@nestjs/swagger");
const throttler_1 = require("@nestjs/throttler");
const errors_1 = require("../common/errors");
const api_errors_decorator_1 = require("../common/swagger/api-errors.decorator");
const error_response_dto_1 = require("../common/swagger/error-response.dto");
const rate_limit_rules_1 = require("./rate-limit.rules");
exports.RATE_LIMIT_KEY = 'rateLimit';
function RateLimit(route) {
    const otherRules = rate_limit_rules_1.RATE_LIMIT_RULES.filter((rule) => rule.route !== route);
    return (0, common_1.applyDecorators)((0, common_1.SetMetadata)(exports.RATE_LIMIT_KEY, route), (0, throttler_1.SkipThrottle)(Object.fromEntries(otherRules.map((rule) => [rule.name, true]))), (0, swagger_1.ApiExtraModels)(error_response_dto_1.ErrorResponseDto), (0, swagger_1.ApiResponse)({
        status: 429,
        ...(0, api_errors_decorator_1.errorResponse)(429, [errors_1.ErrorCode.TooManyRequests]),
        headers: {
            'Retry-After': {
                description: 'Whole seconds until the next attempt is let through',
                schema: { type: 'integer', minimum: 1 },
            },
        },
    }));
}
//# sourceMappingURL=rate-limit.decorator.js.map