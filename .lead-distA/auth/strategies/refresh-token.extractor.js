"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.REFRESH_COOKIE = void 0;
exports.presentedRefreshToken = presentedRefreshToken;
exports.extractRefreshToken = extractRefreshToken;
const errors_1 = require("../../common/errors");
exports.REFRESH_COOKIE = 'refresh_token';
const MAX_TOKEN_LENGTH = 4096;
function presentedRefreshToken(request) {
    const fromBody = request.body?.refreshToken;
    if (fromBody)
        return { token: fromBody, source: 'body' };
    const fromCookie = request.cookies?.[exports.REFRESH_COOKIE];
    return fromCookie ? { token: fromCookie, source: 'cookie' } : null;
}
function extractRefreshToken(request) {
    const token = presentedRefreshToken(request)?.token ?? null;
    if (token && token.length > MAX_TOKEN_LENGTH) {
        throw new errors_1.AppException(errors_1.ErrorCode.RefreshTokenInvalid, 'Refresh token is invalid');
    }
    return token;
}
//# sourceMappingURL=refresh-token.extractor.js.map