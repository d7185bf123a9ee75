import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RequestMeta } from '../types/auth-user';

/** User agent and client IP of the request (the IP honours TRUST_PROXY), kept on sessions. */
export const ClientMeta = createParamDecorator((_data: unknown, ctx: ExecutionContext) => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  const meta: RequestMeta = {
    userAgent: request.headers['user-agent'] ?? null,
    ip: request.ip ?? null,
  };
  return meta;
});
