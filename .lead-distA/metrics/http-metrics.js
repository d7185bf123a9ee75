"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.registerHttpMetrics = registerHttpMetrics;
function registerHttpMetrics(fastify, metrics) {
    fastify.addHook('onResponse', (request, reply, done) => {
        metrics.observeRequest(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
        done();
    });
}
//# sourceMappingURL=http-metrics.js.map