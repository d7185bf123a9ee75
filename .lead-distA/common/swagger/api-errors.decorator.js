"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.errorResponse = errorResponse;
exports.groupByStatus = groupByStatus;
exports.ApiErrors = ApiErrors;
const common_1 = require("@nestjs/common");
const swagger_1 = require("@nestjs/swagger");
const node_http_1 = require("node:http");
const errors_1 = require("../errors");
const error_response_dto_1 = require("./error-response.dto");
const EXAMPLE_MESSAGES = {
    [errors_1.ErrorCode.ValidationFailed]: ['email must be an email'],
    [errors_1.ErrorCode.PasswordTooLong]: 'password must be at most 72 UTF-8 bytes',
    [errors_1.ErrorCode.InvalidCredentials]: 'Invalid email or password',
    [errors_1.ErrorCode.TokenMissing]: 'Bearer access token required',
    [errors_1.ErrorCode.TokenInvalid]: 'Access token is invalid',
    [errors_1.ErrorCode.TokenExpired]: 'Access token has expired',
    [errors_1.ErrorCode.TokenRevoked]: 'Session has ended',
    [errors_1.ErrorCode.UserDisabled]: 'Account is disabled',
    [errors_1.ErrorCode.RefreshTokenMissing]: 'Refresh token required in body or cookie',
    [errors_1.ErrorCode.RefreshTokenInvalid]: 'Refresh token is invalid',
    [errors_1.ErrorCode.RefreshTokenExpired]: 'Refresh token has expired',
    [errors_1.ErrorCode.RefreshTokenRevoked]: 'Refresh token has been revoked',
    [errors_1.ErrorCode.RefreshTokenReused]: 'Refresh token was already used; the session has been revoked',
    [errors_1.ErrorCode.Forbidden]: 'You do not have permission for this action',
    [errors_1.ErrorCode.InvalidCurrentPassword]: 'Current password is wrong',
    [errors_1.ErrorCode.NotFound]: 'Not found',
    [errors_1.ErrorCode.EmailTaken]: 'Email is already registered',
    [errors_1.ErrorCode.Conflict]: 'Conflict',
    [errors_1.ErrorCode.RequestTimeout]: 'Request timed out',
    [errors_1.ErrorCode.HeadersTooLarge]: 'Request headers too large',
    [errors_1.ErrorCode.MethodNotAllowed]: 'Method not allowed',
    [errors_1.ErrorCode.PayloadTooLarge]: 'Request body exceeds 102400 bytes',
    [errors_1.ErrorCode.UnsupportedMediaType]: 'Request body must be sent as application/json',
    [errors_1.ErrorCode.TooManyRequests]: 'Too many attempts; retry in 60 seconds',
    [errors_1.ErrorCode.InternalError]: 'Internal server error',
    [errors_1.ErrorCode.ServiceUnavailable]: 'Service temporarily unavailable',
};
function errorResponse(status, codes) {
    return {
        description: codes.map((code) => `\`${code}\``).join(', '),
        content: {
            'application/json': {
                schema: { $ref: (0, swagger_1.getSchemaPath)(error_response_dto_1.ErrorResponseDto) },
                examples: Object.fromEntries(codes.map((code) => [
                    code,
                    {
                        summary: code,
                        value: {
                            statusCode: status,
                            error: node_http_1.STATUS_CODES[status],
                            code,
                            message: EXAMPLE_MESSAGES[code],
                        },
                    },
                ])),
            },
        },
    };
}
function groupByStatus(codes) {
    const byStatus = new Map();
    for (const code of new Set(codes)) {
        const status = errors_1.ERROR_STATUS[code];
        byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    }
    return byStatus;
}
function ApiErrors(...codes) {
    return (0, common_1.applyDecorators)((0, swagger_1.ApiExtraModels)(error_response_dto_1.ErrorResponseDto), ...[...groupByStatus(codes)].map(([status, group]) => (0, swagger_1.ApiResponse)({ status, ...errorResponse(status, group) })));
}
//# sourceMappingURL=api-errors.decorator.js.map