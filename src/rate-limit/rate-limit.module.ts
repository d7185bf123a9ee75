import { ExecutionContext, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule, ThrottlerModuleOptions } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { MailConfig, mailConfig } from '../config/mail.config';
import { RateLimitConfig, rateLimitConfig } from '../config/rate-limit.config';
import { MemoryRateLimitStorage } from './memory-rate-limit.storage';
import { RateLimitGuard } from './rate-limit.guard';
import { RATE_LIMIT_RULES } from './rate-limit.rules';
import { RedisRateLimitStorage } from './rate-limit.storage';

const requestOf = (context: ExecutionContext) =>
  context.switchToHttp().getRequest<FastifyRequest>();

async function throttlerOptions(
  config: RateLimitConfig,
  mail: MailConfig,
): Promise<ThrottlerModuleOptions> {
  return {
    throttlers: RATE_LIMIT_RULES.map((rule) => ({
      name: rule.name,
      limit: rule.multiplier * (rule.budget === 'mail' ? mail.mailRateLimit : config).limit,
      ttl: (rule.budget === 'mail' ? mail.mailRateLimit : config).windowMs,
      skipIf: (context) => rule.key(requestOf(context)) === undefined,
      getTracker: (request) => rule.key(request as FastifyRequest) ?? '',
    })),
    // Without REDIS_URL each instance counts in its own memory (MemoryRateLimitStorage).
    storage: config.redisUrl
      ? await RedisRateLimitStorage.connect(config.redisUrl)
      : new MemoryRateLimitStorage(),
    // Only the contract's Retry-After on a 429, no X-RateLimit-* on every answer.
    setHeaders: false,
  };
}

/**
 * `AUTH_RATE_LIMIT` on the routes marked `@RateLimit(...)`: counts in Redis when `REDIS_URL`
 * is set (shared by all instances), in memory otherwise.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [rateLimitConfig.KEY, mailConfig.KEY],
      useFactory: throttlerOptions,
    }),
  ],
  // The global guard, and the same class by name for AfterAuthRateLimitGuard's second pass.
  providers: [{ provide: APP_GUARD, useExisting: RateLimitGuard }, RateLimitGuard],
})
export class RateLimitModule {}
