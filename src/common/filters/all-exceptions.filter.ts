import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  Logger,
  Optional,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { isDatabaseUnavailable, isUniqueViolation } from '../../database/db-errors';
import { Metrics } from '../../metrics/metrics.service';
import { AppException, ERROR_STATUS, ErrorCode } from '../errors';
import { REQUEST_ID_HEADER } from '../http/request-id';

export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string | string[];
  /** The request's id (also its `X-Request-Id` header and on its log lines). */
  requestId?: string;
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.ValidationFailed,
  401: ErrorCode.TokenMissing,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  405: ErrorCode.MethodNotAllowed,
  409: ErrorCode.Conflict,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  429: ErrorCode.TooManyRequests,
  503: ErrorCode.ServiceUnavailable,
};

const FASTIFY_MESSAGES: Record<string, [ErrorCode, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [ErrorCode.PayloadTooLarge, 'Request body exceeds 102400 bytes'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [
    ErrorCode.UnsupportedMediaType,
    'Request body must be sent as application/json',
  ],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [
    ErrorCode.ValidationFailed,
    'Content-Length does not match the body',
  ],
};

/**
 * Renders every error as `{statusCode, error, code, message}`: our AppExceptions, Nest's
 * HttpExceptions, Fastify's parser errors, TypeORM's driver errors. Anything unknown is logged
 * with the request id and answered 500 with a generic message: no stack or SQL reaches a client.
 * Every body also carries the `requestId` a report can quote, and every error is counted
 * (401s by code, failed logins and refreshes by outcome) for `/metrics`.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ExceptionFilter');

  constructor(@Optional() private readonly metrics?: Metrics) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const body = this.toBody(exception, request);
    body.requestId = request.id;
    // Also here: errors the router raises before the onRequest hooks never pass request-id.ts's.
    reply.header(REQUEST_ID_HEADER, request.id);
    this.metrics?.countError(request.routeOptions?.url, body.statusCode, body.code);

    if (body.statusCode === 401 && exception instanceof AppException && exception.bearerChallenge) {
      const sentToken = /^Bearer\s+\S/i.test(request.headers.authorization ?? '');
      reply.header(
        'WWW-Authenticate',
        sentToken ? 'Bearer realm="api", error="invalid_token"' : 'Bearer realm="api"',
      );
    }
    if (exception instanceof AppException && exception.challenge) {
      reply.header('WWW-Authenticate', exception.challenge);
    }
    const retryAfter = exception instanceof AppException ? exception.retryAfter : undefined;
    if (retryAfter !== undefined) reply.header('Retry-After', String(retryAfter));
    else if (body.statusCode === 503) reply.header('Retry-After', '5');
    void reply.status(body.statusCode).send(body);
  }

  private toBody(exception: unknown, request: FastifyRequest): ErrorBody {
    if (exception instanceof AppException) {
      return this.body(exception.getStatus(), exception.code, exception.details);
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = CODE_BY_STATUS[status] ?? ErrorCode.InternalError;
      if (status >= 500) return this.unexpected(exception, request);
      return this.body(status, code, this.httpMessage(exception, status));
    }
    const error = exception as { code?: string; statusCode?: number; message?: string };
    const fastify = error?.code ? FASTIFY_MESSAGES[error.code] : undefined;
    if (fastify) return this.body(ERROR_STATUS[fastify[0]], fastify[0], fastify[1]);
    if (exception instanceof SyntaxError || error?.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return this.body(400, ErrorCode.ValidationFailed, ['body must be valid JSON']);
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn(`database unavailable (request ${request.id}): ${error?.message}`);
      return this.body(503, ErrorCode.ServiceUnavailable, 'Service temporarily unavailable');
    }
    if (isUniqueViolation(exception)) {
      return this.body(409, ErrorCode.Conflict, 'The resource already exists');
    }
    const status = error?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return this.body(status, CODE_BY_STATUS[status] ?? ErrorCode.ValidationFailed, 'Bad request');
    }
    return this.unexpected(exception, request);
  }

  private httpMessage(exception: HttpException, status: number): string | string[] {
    if (status === 404) return 'Resource not found';
    const response = exception.getResponse();
    const message =
      typeof response === 'object' && response !== null && 'message' in response
        ? response.message
        : exception.message;
    if (status === 400) return Array.isArray(message) ? message.map(String) : [String(message)];
    return String(message);
  }

  private unexpected(exception: unknown, request: FastifyRequest): ErrorBody {
    const stack = exception instanceof Error ? exception.stack : String(exception);
    this.logger.error(
      `unhandled error (request ${request.id}) ${request.method} ${request.url}`,
      stack,
    );
    return this.body(500, ErrorCode.InternalError, 'Internal server error');
  }

  private body(statusCode: number, code: string, message: string | string[]): ErrorBody {
    return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', code, message };
  }
}
