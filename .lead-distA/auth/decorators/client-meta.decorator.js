"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ClientMeta = void 0;
exports.requestMeta = requestMeta;
const common_1 = require("@nestjs/common");
function requestMeta(request) {
    return { userAgent: request.headers['user-agent'] ?? null, ip: request.ip ?? null };
}
exports.ClientMeta = (0, common_1.createParamDecorator)((_data, ctx) => requestMeta(ctx.switchToHttp().getRequest()));
//# sourceMappingURL=client-meta.decorator.js.map