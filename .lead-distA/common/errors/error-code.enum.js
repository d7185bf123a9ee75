"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ERROR_STATUS = exports.ErrorCode = void 0;
var ErrorCode;
(function (ErrorCode) {
    ErrorCode["ValidationFailed"] = "validation_failed";
    ErrorCode["PasswordTooLong"] = "password_too_long";
    ErrorCode["InvalidCredentials"] = "invalid_credentials";
    ErrorCode["TokenMissing"] = "token_missing";
    ErrorCode["TokenInvalid"] = "token_invalid";
    ErrorCode["TokenExpired"] = "token_expired";
    ErrorCode["TokenRevoked"] = "token_revoked";
    ErrorCode["UserDisabled"] = "user_disabled";
    ErrorCode["RefreshTokenMissing"] = "refresh_token_missing";
    ErrorCode["RefreshTokenInvalid"] = "refresh_token_invalid";
    ErrorCode["RefreshTokenExpired"] = "refresh_token_expired";
    ErrorCode["RefreshTokenRevoked"] = "refresh_token_revoked";
    ErrorCode["RefreshTokenReused"] = "refresh_token_reused";
    ErrorCode["Forbidden"] = "forbidden";
    ErrorCode["InvalidCurrentPassword"] = "invalid_current_password";
    ErrorCode["NotFound"] = "not_found";
    ErrorCode["EmailTaken"] = "email_taken";
    ErrorCode["Conflict"] = "conflict";
    ErrorCode["RequestTimeout"] = "request_timeout";
    ErrorCode["HeadersTooLarge"] = "headers_too_large";
    ErrorCode["MethodNotAllowed"] = "method_not_allowed";
    ErrorCode["PayloadTooLarge"] = "payload_too_large";
    ErrorCode["UnsupportedMediaType"] = "unsupported_media_type";
    ErrorCode["TooManyRequests"] = "too_many_requests";
    ErrorCode["InternalError"] = "internal_error";
    ErrorCode["ServiceUnavailable"] = "service_unavailable";
})(ErrorCode || (exports.ErrorCode = ErrorCode = {}));
exports.ERROR_STATUS = {
    [ErrorCode.ValidationFailed]: 400,
    [ErrorCode.PasswordTooLong]: 400,
    [ErrorCode.InvalidCredentials]: 401,
    [ErrorCode.TokenMissing]: 401,
    [ErrorCode.TokenInvalid]: 401,
    [ErrorCode.TokenExpired]: 401,
    [ErrorCode.TokenRevoked]: 401,
    [ErrorCode.UserDisabled]: 401,
    [ErrorCode.RefreshTokenMissing]: 401,
    [ErrorCode.RefreshTokenInvalid]: 401,
    [ErrorCode.RefreshTokenExpired]: 401,
    [ErrorCode.RefreshTokenRevoked]: 401,
    [ErrorCode.RefreshTokenReused]: 401,
    [ErrorCode.Forbidden]: 403,
    [ErrorCode.InvalidCurrentPassword]: 403,
    [ErrorCode.NotFound]: 404,
    [ErrorCode.MethodNotAllowed]: 405,
    [ErrorCode.EmailTaken]: 409,
    [ErrorCode.Conflict]: 409,
    [ErrorCode.RequestTimeout]: 408,
    [ErrorCode.HeadersTooLarge]: 431,
    [ErrorCode.PayloadTooLarge]: 413,
    [ErrorCode.UnsupportedMediaType]: 415,
    [ErrorCode.TooManyRequests]: 429,
    [ErrorCode.InternalError]: 500,
    [ErrorCode.ServiceUnavailable]: 503,
};
//# sourceMappingURL=error-code.enum.js.map