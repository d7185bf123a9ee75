import { Logger } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { runWithRequestId } from '../logger/request-context';

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What an incoming `X-Request-Id` must look like to be kept. Why so strict: the id is copied
 * into every log line and error body of the request, so a client must not be able to put
 * spaces, quotes, control characters or kilobytes there (log forging, log bloat).
 */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Fastify's `genReqId`: the caller's `X-Request-Id` when it is a short safe token (a proxy or
 * client correlating its own logs with ours), else a fresh UUID. A repeated header is not one.
 */
export function requestIdFor(request: IncomingMessage): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * The request id on every response (`X-Request-Id`, whatever answers: a route, the exception
 * filter, the Host check, the closing server's 503) and on every log line written while the
 * request is handled (request-context.ts). Registered before the other hooks.
 *
 * Why a hook and AsyncLocalStorage rather than nestjs-pino's middleware: that one runs
 * pino-http as Nest middleware, which on Fastify means @fastify/middie plus two child loggers
 * built per request, even at a LOG_LEVEL that writes none of their lines; here a request costs
 * one header and one AsyncLocalStorage frame, and the id is read only when a line is written.
 */
export function bindRequestId(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    runWithRequestId(request.id, done);
  });
}

/** Whether LOG_LEVEL lets `info` lines through. */
const INFO_LEVELS: ReadonlySet<string> = new Set(['info', 'debug', 'trace']);

/**
 * One "request completed" line per request (method, URL, status, time; never headers, which
 * hold tokens and the refresh cookie), only when LOG_LEVEL is `info` or lower: at `warn` (the
 * production default of many deployments, and the benchmarks') the hook is not even added.
 */
export function logCompletedRequests(fastify: FastifyInstance, logLevel: string): void {
  if (!INFO_LEVELS.has(logLevel)) return;
  const logger = new Logger('HTTP');
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
