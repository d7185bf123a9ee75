import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RequestMeta } from '../types/auth-user';

/** User agent and client IP of a request (the IP honours TRUST_PROXY). */
export function requestMeta(request: FastifyRequest): RequestMeta {
  return { userAgent: request.headers['user-agent'] ?? null, ip: request.ip ?? null };
}

/** User agent and client IP of the request, kept on sessions and in audit events. */
export const ClientMeta = createParamDecorator((_data: unknown, ctx: ExecutionContext) =>
  requestMeta(ctx.switchToHttp().getRequest<FastifyRequest>()),
);
