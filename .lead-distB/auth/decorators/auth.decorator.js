"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ACCESS_TOKEN_ERRORS = void 0;
exports.Auth = Auth;
const common_1 = require("@nestjs/common");
const swagger_1 = require("@nestjs/swagger");
const api_errors_decorator_1 = require("../../common/swagger/api-errors.decorator");
const errors_1 = require("../../common/errors");
const roles_decorator_1 = require("./roles.decorator");
exports.ACCESS_TOKEN_ERRORS = [
    errors_1.ErrorCode.TokenMissing,
    errors_1.ErrorCode.TokenInvalid,
    errors_1.ErrorCode.TokenExpired,
    errors_1.ErrorCode.TokenRevoked,
    errors_1.ErrorCode.UserDisabled,
];
function Auth(...roles) {
    const decorators = [
        (0, swagger_1.ApiBearerAuth)(),
        (0, api_errors_decorator_1.ApiErrors)(...exports.ACCESS_TOKEN_ERRORS, ...(roles.length ? [errors_1.ErrorCode.Forbidden] : [])),
    ];
    return (0, common_1.applyDecorators)(...(roles.length ? [(0, roles_decorator_1.Roles)(...roles)] : []), ...decorators);
}
//# sourceMappingURL=auth.decorator.js.map