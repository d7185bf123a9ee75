import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { ThrottlerLimitDetail } from '@nestjs/throttler/dist/throttler.guard.interface';
import type { FastifyReply } from 'fastify';
import { createHash } from 'node:crypto';
import { AppException, ErrorCode } from '../common/errors';
import { RATE_LIMIT_KEY } from './rate-limit.decorator';

/**
 * Global guard (APP_GUARD) over @nestjs/throttler: counts the requests of `@RateLimit(...)`
 * routes against their rules and refuses an exhausted one with the contract's 429. Global
 * guards run before a route's own guards, so a refused attempt never reaches body validation,
 * the database or bcrypt. Every attempt counts, whatever its answer turns out to be.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(!this.reflector.get<string>(RATE_LIMIT_KEY, context.getHandler()));
  }

  /**
   * The rule name plus a hash of what is counted: stable across instances and releases (not
   * tied to class or method names), and Redis never holds client emails or IPs in clear.
   */
  protected generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `auth-rate:${name}:${createHash('sha256').update(tracker).digest('base64url')}`;
  }

  protected throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    // The refused key stays blocked for one window from its first refused attempt.
    const seconds = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    context.switchToHttp().getResponse<FastifyReply>().header('Retry-After', String(seconds));
    throw new AppException(
      ErrorCode.TooManyRequests,
      `Too many attempts; retry in ${seconds} second${seconds === 1 ? '' : 's'}`,
    );
  }
}
