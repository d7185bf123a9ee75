import type { FastifyInstance } from 'fastify';
import { Metrics } from './metrics.service';

/**
 * Request latency into `http_request_duration_seconds`, after the answer is sent (so off the
 * response path): the route pattern Fastify matched, never the URL, and Fastify's own timing.
 */
export function registerHttpMetrics(fastify: FastifyInstance, metrics: Metrics): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(
      request.method,
      request.routeOptions.url,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
}
