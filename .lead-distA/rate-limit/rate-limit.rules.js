"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.RATE_LIMIT_RULES = void 0;
exports.clientIp = clientIp;
exports.bodyEmail = bodyEmail;
const throttler_1 = require("@nestjs/throttler");
const email_transform_1 = require("../auth/dto/email.transform");
function clientIp(request) {
    return (0, throttler_1.normalizeIp)(request.ip);
}
function bodyEmail(request) {
    const body = request.body;
    if (typeof body !== 'object' || body === null)
        return undefined;
    const email = body.email;
    return typeof email === 'string' ? (0, email_transform_1.normalizeEmail)(email) : undefined;
}
exports.RATE_LIMIT_RULES = [
    {
        name: 'login-ip-email',
        route: 'login',
        multiplier: 1,
        key: (request) => {
            const email = bodyEmail(request);
            return email === undefined ? undefined : `${clientIp(request)} ${email}`;
        },
    },
    { name: 'login-ip', route: 'login', multiplier: 10, key: clientIp },
    { name: 'register-ip', route: 'register', multiplier: 1, key: clientIp },
    { name: 'refresh-ip', route: 'refresh', multiplier: 10, key: clientIp },
];
//# sourceMappingURL=rate-limit.rules.js.map