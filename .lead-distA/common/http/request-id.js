"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.REQUEST_ID_HEADER = void 0;
exports.requestIdFor = requestIdFor;
exports.bindRequestId = bindRequestId;
exports.logCompletedRequests = logCompletedRequests;
const common_1 = require("@nestjs/common");
const node_crypto_1 = require("node:crypto");
const request_context_1 = require("../logger/request-context");
exports.REQUEST_ID_HEADER = 'x-request-id';
const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
function requestIdFor(request) {
    const incoming = request.headers[exports.REQUEST_ID_HEADER];
    return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : (0, node_crypto_1.randomUUID)();
}
function bindRequestId(fastify) {
    fastify.addHook('onRequest', (request, reply, done) => {
        void reply.header(exports.REQUEST_ID_HEADER, request.id);
        (0, request_context_1.runWithRequestId)(request.id, done);
    });
}
const INFO_LEVELS = new Set(['info', 'debug', 'trace']);
function logCompletedRequests(fastify, logLevel) {
    if (!INFO_LEVELS.has(logLevel))
        return;
    const logger = new common_1.Logger('HTTP');
    fastify.addHook('onResponse', (request, reply, done) => {
        logger.log({
            msg: 'request completed',
            requestId: request.id,
            req: { method: request.method, url: request.url },
            res: { statusCode: reply.statusCode },
            responseTime: Math.round(reply.elapsedTime),
        });
        done();
    });
}
//# sourceMappingURL=request-id.js.map