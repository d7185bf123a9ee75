import fastifyCookie from '@fastify/cookie';
import { RequestMethod } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ServerOptions, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppException, ErrorCode } from './common/errors';
import {
  bindRequestId,
  logCompletedRequests,
  REQUEST_ID_HEADER,
  requestIdFor,
} from './common/http/request-id';
import { registerSecurityHeaders } from './common/http/security-headers';
import { AuthController } from './auth/auth.controller';
import { requestMeta } from './auth/decorators/client-meta.decorator';
import { issueRefreshCookies } from './auth/refresh-cookie.interceptor';
import { PresentedRefreshToken } from './auth/types/auth-user';
import { serveDirectly } from './common/http/direct-route';
import { WELL_KNOWN_PATHS } from './keys/well-known.controller';
import { AppConfig } from './config/app.config';
import { AuthConfig } from './config';
import { registerHttpMetrics } from './metrics/http-metrics';
import { Metrics } from './metrics/metrics.service';
import { setupSwagger } from './swagger';

/** Nest must not add its own body parsers: configureBodyParsing installs the contract's. */
export const NEST_APP_OPTIONS = { bodyParser: false } as const;

/**
 * Errors Node's HTTP parser raises before Fastify has a request (oversized headers, a
 * Content-Length that lies, a timeout) still get the contract's error shape.
 */
function clientErrorHandler(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, ErrorCode.RequestTimeout, 'Request timed out']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, ErrorCode.HeadersTooLarge, 'Request headers are too large']
        : [400, ErrorCode.ValidationFailed, 'Malformed HTTP request'];
  const body = JSON.stringify({ statusCode: status, error: STATUS_CODES[status], code, message });
  // An answer to HEAD carries no body: the client would read it as garbage after the answer.
  const rawPacket = (error as { rawPacket?: Buffer }).rawPacket;
  const head = rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${head ? '' : body}`,
    );
  }
  socket.destroy(error);
}

/**
 * Fastify options: the contract's 100 KiB body limit and the client-IP trust setting.
 * `serverOptions` go to Node's http.createServer beside the app's (tests shorten its timeouts).
 */
export function createFastifyAdapter(
  config: AppConfig,
  serverOptions: ServerOptions = {},
): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy === false ? false : config.trustProxy,
    // Our own 503 while closing (closeConnectionsWhenDone), in the contract's error shape.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
    clientErrorHandler,
    frameworkErrors,
    // request.id: the caller's X-Request-Id if it is a safe token, else a UUID (request-id.ts).
    genReqId: requestIdFor,
    // Node answers an HTTP/1.1 request without Host with a bare 400 and no body;
    // requireHostHeader (below) answers it in the contract's shape instead.
    http: { requireHostHeader: false, ...serverOptions },
  });
}

function errorBody(
  request: FastifyRequest,
  status: number,
  code: ErrorCode,
  message: string | string[],
) {
  return { statusCode: status, error: STATUS_CODES[status], code, message, requestId: request.id };
}

/**
 * The router's own errors, which Fastify would answer outside Nest's filter with its own codes:
 * a malformed percent-encoding in the path (FST_ERR_BAD_URL) and a path parameter over 100
 * characters (FST_ERR_MAX_PARAM_LENGTH, a 414). Every parameter is a UUID, so both are a
 * malformed parameter: 400 `validation_failed`.
 */
function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const message =
    error.code === 'FST_ERR_BAD_URL'
      ? 'path is not a valid URL (malformed percent-encoding)'
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? 'path parameter is too long'
        : undefined;
  // Raised before the onRequest hooks run, so bindRequestId's header is set here.
  void reply.header(REQUEST_ID_HEADER, request.id);
  void (message === undefined
    ? reply
        .code(500)
        .send(errorBody(request, 500, ErrorCode.InternalError, 'Internal server error'))
    : reply.code(400).send(errorBody(request, 400, ErrorCode.ValidationFailed, [message])));
}

/** RFC 9112 §3.2: an HTTP/1.1 request without a Host header is a 400. */
function requireHostHeader(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.raw.httpVersion !== '1.1' || request.headers.host !== undefined) return done();
    void reply
      .code(400)
      .header('connection', 'close')
      .send(errorBody(request, 400, ErrorCode.ValidationFailed, ['Host header is required']));
  });
}

function unsupportedMediaType() {
  return Object.assign(new Error('Unsupported Media Type'), {
    statusCode: 415,
    code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
  });
}

/** Route config key of the handlers that take an `application/x-www-form-urlencoded` body. */
export const FORM_BODY = 'formBody';

/**
 * A form body as a plain object of strings. RFC 6749 §3.2: a parameter sent more than once is
 * an invalid request, not a choice for the server to make.
 */
function parseForm(body: string): Record<string, string> {
  const params = new URLSearchParams(body);
  const seen = new Set<string>();
  for (const name of params.keys()) {
    if (seen.has(name)) {
      throw new AppException(ErrorCode.ValidationFailed, [
        `${name} must not be sent more than once`,
      ]);
    }
    seen.add(name);
  }
  return Object.fromEntries(params);
}

/**
 * Body parsing: JSON only (an empty body needs no content type and parses as no body), and
 * everything else non-empty is 415. The OAuth routes (route config `formBody`) also take the
 * form encoding RFC 7662 and RFC 7009 prescribe. Prototype-poisoning keys are refused by
 * Fastify's JSON parser; a form's become own properties that validation refuses.
 */
function configureBodyParsing(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    void parseJson(request, body as string, done);
  });
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (request, body, done) => {
      const config = request.routeOptions?.config as unknown as Record<string, unknown> | undefined;
      if (body === '') return done(null, undefined);
      if (config?.[FORM_BODY] !== true) return done(unsupportedMediaType(), undefined);
      try {
        done(null, parseForm(body as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    if ((body as Buffer).length === 0) return done(null, undefined);
    done(unsupportedMediaType(), undefined);
  });
}

/** How long a closing server keeps reading requests that were already sent to it. */
const DRAIN_MS = 250;

/**
 * On close, Node and Fastify end only the keep-alive connections idle at that moment. One whose
 * request is still being served stays open after its answer, until keepAliveTimeout (72 s), and
 * `server.close()` waits for it: past the shutdown bound (SHUTDOWN_TIMEOUT), so exit 1.
 * Once closing, answers therefore carry `Connection: close`, and connections that turn idle
 * anyway (their answer was already on its way) are closed as they do.
 */
function closeConnectionsWhenDone(fastify: FastifyInstance): void {
  let closing = false;
  let reaper: NodeJS.Timeout | undefined;
  fastify.addHook('preClose', (done) => {
    closing = true;
    reaper = setInterval(() => fastify.server.closeIdleConnections(), 50);
    reaper.unref();
    // A short drain before Node closes the idle connections: requests already on the wire
    // (in the socket's buffer, not yet parsed) get read and answered (503, closing) rather
    // than reset. One event-loop turn was not enough on a busy machine.
    setTimeout(done, DRAIN_MS);
  });
  // A request that arrives on a kept-alive connection once closing has begun does no work: a
  // 503 tells the client to retry, which the load balancer sends to another instance.
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!closing) return done();
    void reply
      .code(503)
      .header('retry-after', '1')
      .send(
        errorBody(request, 503, ErrorCode.ServiceUnavailable, 'Server is shutting down; retry'),
      );
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });
  // After the server has closed (every in-flight request answered).
  fastify.addHook('onClose', (_instance, done) => {
    clearInterval(reaper);
    done();
  });
}

/**
 * POST /api/auth/refresh, the busiest write, with its guards and filter but without Nest's
 * router between them (direct-route.ts): ~6 % less CPU per refresh, measured A/B. The
 * arguments are what the method's @CurrentUser() and @ClientMeta() give.
 */
function serveRefreshDirectly(app: NestFastifyApplication): void {
  serveDirectly(app, {
    method: 'POST',
    url: '/api/auth/refresh',
    controller: AuthController,
    handler: 'refresh',
    call: (controller, request) =>
      controller.refresh(
        (request as FastifyRequest & { user?: PresentedRefreshToken }).user,
        requestMeta(request),
      ),
  });
}

export interface ConfigureOptions {
  /** false: refresh too goes through Nest's router (tests compare the two; default true). */
  directRoutes?: boolean;
}

/**
 * Everything main.ts and the e2e tests share, so tests exercise the production pipeline:
 * request ids, latency metrics, prefix, body parsing, security headers, cookies, CORS, Swagger.
 * (Signal handling is main.ts's.)
 */
export async function configureApp(
  app: NestFastifyApplication,
  options: ConfigureOptions = {},
): Promise<NestFastifyApplication> {
  const config = app.get(ConfigService).getOrThrow<AppConfig>('app');
  const fastify: FastifyInstance = app.getHttpAdapter().getInstance();
  bindRequestId(fastify);
  logCompletedRequests(fastify, config.logLevel);
  registerHttpMetrics(fastify, app.get(Metrics));
  configureBodyParsing(fastify);
  requireHostHeader(fastify);
  registerSecurityHeaders(fastify);
  closeConnectionsWhenDone(fastify);
  await app.register(fastifyCookie as any);
  issueRefreshCookies(fastify, app.get(ConfigService).getOrThrow<AuthConfig>('auth').secureCookie);
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins,
      credentials: true,
      methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type'],
      maxAge: 600,
    });
  }
  // /metrics stays outside the prefix: where Prometheus scrapes by default; the JWKS and the
  // RFC 8414 metadata where resource servers look for them.
  app.setGlobalPrefix('api', {
    exclude: [
      { path: 'metrics', method: RequestMethod.GET },
      ...WELL_KNOWN_PATHS.map((path) => ({ path, method: RequestMethod.GET })),
    ],
  });
  if (options.directRoutes !== false) serveRefreshDirectly(app);
  setupSwagger(app);
  await app.init();
  await fastify.ready();
  return app;
}
