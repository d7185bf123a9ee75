"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.NEST_APP_OPTIONS = void 0;
exports.createFastifyAdapter = createFastifyAdapter;
exports.configureApp = configureApp;
const cookie_1 = __importDefault(require("@fastify/cookie"));
const common_1 = require("@nestjs/common");
const config_1 = require("@nestjs/config");
const platform_fastify_1 = require("@nestjs/platform-fastify");
const node_http_1 = require("node:http");
const errors_1 = require("./common/errors");
const request_id_1 = require("./common/http/request-id");
const security_headers_1 = require("./common/http/security-headers");
const http_metrics_1 = require("./metrics/http-metrics");
const metrics_service_1 = require("./metrics/metrics.service");
const swagger_1 = require("./swagger");
exports.NEST_APP_OPTIONS = { bodyParser: false };
function clientErrorHandler(error, socket) {
    if (error.code === 'ECONNRESET' || socket.destroyed)
        return;
    const [status, code, message] = error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, errors_1.ErrorCode.RequestTimeout, 'Request timed out']
        : error.code === 'HPE_HEADER_OVERFLOW'
            ? [431, errors_1.ErrorCode.HeadersTooLarge, 'Request headers are too large']
            : [400, errors_1.ErrorCode.ValidationFailed, 'Malformed HTTP request'];
    const body = JSON.stringify({ statusCode: status, error: node_http_1.STATUS_CODES[status], code, message });
    const rawPacket = error.rawPacket;
    const head = rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
    if (socket.writable) {
        socket.write(`HTTP/1.1 ${status} ${node_http_1.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${head ? '' : body}`);
    }
    socket.destroy(error);
}
function createFastifyAdapter(config) {
    return new platform_fastify_1.FastifyAdapter({
        bodyLimit: config.bodyLimit,
        trustProxy: config.trustProxy === false ? false : config.trustProxy,
        return503OnClosing: false,
        forceCloseConnections: 'idle',
        routerOptions: { ignoreTrailingSlash: true },
        clientErrorHandler,
        frameworkErrors,
        genReqId: request_id_1.requestIdFor,
        http: { requireHostHeader: false },
    });
}
function errorBody(request, status, code, message) {
    return { statusCode: status, error: node_http_1.STATUS_CODES[status], code, message, requestId: request.id };
}
function frameworkErrors(error, request, reply) {
    const message = error.code === 'FST_ERR_BAD_URL'
        ? 'path is not a valid URL (malformed percent-encoding)'
        : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
            ? 'path parameter is too long'
            : undefined;
    void reply.header(request_id_1.REQUEST_ID_HEADER, request.id);
    void (message === undefined
        ? reply
            .code(500)
            .send(errorBody(request, 500, errors_1.ErrorCode.InternalError, 'Internal server error'))
        : reply.code(400).send(errorBody(request, 400, errors_1.ErrorCode.ValidationFailed, [message])));
}
function requireHostHeader(fastify) {
    fastify.addHook('onRequest', (request, reply, done) => {
        if (request.raw.httpVersion !== '1.1' || request.headers.host !== undefined)
            return done();
        void reply
            .code(400)
            .header('connection', 'close')
            .send(errorBody(request, 400, errors_1.ErrorCode.ValidationFailed, ['Host header is required']));
    });
}
function unsupportedMediaType() {
    return Object.assign(new Error('Unsupported Media Type'), {
        statusCode: 415,
        code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
    });
}
function configureBodyParsing(fastify) {
    const parseJson = fastify.getDefaultJsonParser('error', 'error');
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
        if (body === '')
            return done(null, undefined);
        void parseJson(request, body, done);
    });
    fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
        if (body.length === 0)
            return done(null, undefined);
        done(unsupportedMediaType(), undefined);
    });
}
const DRAIN_MS = 250;
function closeConnectionsWhenDone(fastify) {
    let closing = false;
    let reaper;
    fastify.addHook('preClose', (done) => {
        closing = true;
        reaper = setInterval(() => fastify.server.closeIdleConnections(), 50);
        reaper.unref();
        setTimeout(done, DRAIN_MS);
    });
    fastify.addHook('onRequest', (request, reply, done) => {
        if (!closing)
            return done();
        void reply
            .code(503)
            .header('retry-after', '1')
            .send(errorBody(request, 503, errors_1.ErrorCode.ServiceUnavailable, 'Server is shutting down; retry'));
    });
    fastify.addHook('onSend', (_request, reply, payload, done) => {
        if (closing)
            void reply.header('connection', 'close');
        done(null, payload);
    });
    fastify.addHook('onClose', (_instance, done) => {
        clearInterval(reaper);
        done();
    });
}
async function configureApp(app) {
    const config = app.get(config_1.ConfigService).getOrThrow('app');
    const fastify = app.getHttpAdapter().getInstance();
    (0, request_id_1.bindRequestId)(fastify);
    (0, request_id_1.logCompletedRequests)(fastify, config.logLevel);
    (0, http_metrics_1.registerHttpMetrics)(fastify, app.get(metrics_service_1.Metrics));
    configureBodyParsing(fastify);
    requireHostHeader(fastify);
    await (0, security_headers_1.registerSecurityHeaders)(app);
    closeConnectionsWhenDone(fastify);
    await app.register(cookie_1.default);
    if (config.corsOrigins.length > 0) {
        app.enableCors({
            origin: config.corsOrigins,
            credentials: true,
            methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
            allowedHeaders: ['Authorization', 'Content-Type'],
            maxAge: 600,
        });
    }
    app.setGlobalPrefix('api', { exclude: [{ path: 'metrics', method: common_1.RequestMethod.GET }] });
    (0, swagger_1.setupSwagger)(app);
    await app.init();
    await fastify.ready();
    return app;
}
//# sourceMappingURL=app.setup.js.map