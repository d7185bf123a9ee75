"use strict";
var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
var __param = (this && this.__param) || function (paramIndex, decorator) {
    return function (target, key) { decorator(target, key, paramIndex); }
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.AllExceptionsFilter = void 0;
const common_1 = require("@nestjs/common");
const node_http_1 = require("node:http");
const db_errors_1 = require("../../database/db-errors");
const metrics_service_1 = require("../../metrics/metrics.service");
const errors_1 = require("../errors");
const request_id_1 = require("../http/request-id");
const CODE_BY_STATUS = {
    400: errors_1.ErrorCode.ValidationFailed,
    401: errors_1.ErrorCode.TokenMissing,
    403: errors_1.ErrorCode.Forbidden,
    404: errors_1.ErrorCode.NotFound,
    405: errors_1.ErrorCode.MethodNotAllowed,
    409: errors_1.ErrorCode.Conflict,
    413: errors_1.ErrorCode.PayloadTooLarge,
    415: errors_1.ErrorCode.UnsupportedMediaType,
    429: errors_1.ErrorCode.TooManyRequests,
    503: errors_1.ErrorCode.ServiceUnavailable,
};
const FASTIFY_MESSAGES = {
    FST_ERR_CTP_BODY_TOO_LARGE: [errors_1.ErrorCode.PayloadTooLarge, 'Request body exceeds 102400 bytes'],
    FST_ERR_CTP_INVALID_MEDIA_TYPE: [
        errors_1.ErrorCode.UnsupportedMediaType,
        'Request body must be sent as application/json',
    ],
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: [
        errors_1.ErrorCode.ValidationFailed,
        'Content-Length does not match the body',
    ],
};
let AllExceptionsFilter = class AllExceptionsFilter {
    metrics;
    logger = new common_1.Logger('ExceptionFilter');
    constructor(metrics) {
        this.metrics = metrics;
    }
    catch(exception, host) {
        const http = host.switchToHttp();
        const request = http.getRequest();
        const reply = http.getResponse();
        const body = this.toBody(exception, request);
        body.requestId = request.id;
        reply.header(request_id_1.REQUEST_ID_HEADER, request.id);
        this.metrics?.countError(request.routeOptions?.url, body.statusCode, body.code);
        if (body.statusCode === 401 && exception instanceof errors_1.AppException && exception.bearerChallenge) {
            const sentToken = /^Bearer\s+\S/i.test(request.headers.authorization ?? '');
            reply.header('WWW-Authenticate', sentToken ? 'Bearer realm="api", error="invalid_token"' : 'Bearer realm="api"');
        }
        const retryAfter = exception instanceof errors_1.AppException ? exception.retryAfter : undefined;
        if (retryAfter !== undefined)
            reply.header('Retry-After', String(retryAfter));
        else if (body.statusCode === 503)
            reply.header('Retry-After', '5');
        void reply.status(body.statusCode).send(body);
    }
    toBody(exception, request) {
        if (exception instanceof errors_1.AppException) {
            return this.body(exception.getStatus(), exception.code, exception.details);
        }
        if (exception instanceof common_1.HttpException) {
            const status = exception.getStatus();
            const code = CODE_BY_STATUS[status] ?? errors_1.ErrorCode.InternalError;
            if (status >= 500)
                return this.unexpected(exception, request);
            return this.body(status, code, this.httpMessage(exception, status));
        }
        const error = exception;
        const fastify = error?.code ? FASTIFY_MESSAGES[error.code] : undefined;
        if (fastify)
            return this.body(errors_1.ERROR_STATUS[fastify[0]], fastify[0], fastify[1]);
        if (exception instanceof SyntaxError || error?.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
            return this.body(400, errors_1.ErrorCode.ValidationFailed, ['body must be valid JSON']);
        }
        if ((0, db_errors_1.isDatabaseUnavailable)(exception)) {
            this.logger.warn(`database unavailable (request ${request.id}): ${error?.message}`);
            return this.body(503, errors_1.ErrorCode.ServiceUnavailable, 'Service temporarily unavailable');
        }
        if ((0, db_errors_1.isUniqueViolation)(exception)) {
            return this.body(409, errors_1.ErrorCode.Conflict, 'The resource already exists');
        }
        const status = error?.statusCode;
        if (typeof status === 'number' && status >= 400 && status < 500) {
            return this.body(status, CODE_BY_STATUS[status] ?? errors_1.ErrorCode.ValidationFailed, 'Bad request');
        }
        return this.unexpected(exception, request);
    }
    httpMessage(exception, status) {
        if (status === 404)
            return 'Resource not found';
        const response = exception.getResponse();
        const message = typeof response === 'object' && response !== null && 'message' in response
            ? response.message
            : exception.message;
        if (status === 400)
            return Array.isArray(message) ? message.map(String) : [String(message)];
        return String(message);
    }
    unexpected(exception, request) {
        const stack = exception instanceof Error ? exception.stack : String(exception);
        this.logger.error(`unhandled error (request ${request.id}) ${request.method} ${request.url}`, stack);
        return this.body(500, errors_1.ErrorCode.InternalError, 'Internal server error');
    }
    body(statusCode, code, message) {
        return { statusCode, error: node_http_1.STATUS_CODES[statusCode] ?? 'Error', code, message };
    }
};
exports.AllExceptionsFilter = AllExceptionsFilter;
exports.AllExceptionsFilter = AllExceptionsFilter = __decorate([
    (0, common_1.Catch)(),
    __param(0, (0, common_1.Optional)()),
    __metadata("design:paramtypes", [metrics_service_1.Metrics])
], AllExceptionsFilter);
//# sourceMappingURL=all-exceptions.filter.js.map