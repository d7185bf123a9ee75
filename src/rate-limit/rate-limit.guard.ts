import { createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type {
  ThrottlerLimitDetail,
  ThrottlerRequest,
} from '@nestjs/throttler/dist/throttler.guard.interface';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { AppException, ErrorCode } from '../common/errors';
import { RATE_LIMIT_KEY, RATE_LIMIT_RULES } from './rate-limit.rules';

const QUIET_RULES = new Set(RATE_LIMIT_RULES.filter((r) => r.quiet).map((r) => r.name));

/** Requests let through by an exhausted quiet rule (see `@RateLimited()`). */
const quietlyLimited = new WeakSet<object>();

/** An exhausted rule, before the guard decides what that means for it. */
class Exhausted extends Error {
  constructor(readonly seconds: number) {
    super('rate limit exhausted');
  }
}

/**
 * Global guard (APP_GUARD) over @nestjs/throttler: counts the requests of `@RateLimit(...)`
 * routes against their rules and refuses an exhausted one with the contract's 429. Global
 * guards run before a route's own guards, so a refused attempt never reaches body validation,
 * the database or bcrypt. Every attempt counts, whatever its answer turns out to be. An
 * exhausted quiet rule lets the request through, marked for the handler.
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

  protected async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    try {
      return await super.handleRequest(request);
    } catch (error) {
      if (!(error instanceof Exhausted)) throw error;
      const http = request.context.switchToHttp();
      if (QUIET_RULES.has(request.throttler.name ?? '')) {
        quietlyLimited.add(http.getRequest<FastifyRequest>());
        return true;
      }
      // The refused key stays blocked for one window from its first refused attempt.
      const seconds = Math.max(1, Math.ceil(error.seconds));
      http.getResponse<FastifyReply>().header('Retry-After', String(seconds));
      throw new AppException(
        ErrorCode.TooManyRequests,
        `Too many attempts; retry in ${seconds} second${seconds === 1 ? '' : 's'}`,
      );
    }
  }

  protected throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    return Promise.reject(new Exhausted(detail.timeToBlockExpire));
  }
}

/**
 * True when an exhausted quiet rule of the route let this request through: the handler
 * answers as usual and does none of the work the limit protects (no mail).
 */
export const RateLimited = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  quietlyLimited.has(context.switchToHttp().getRequest<object>()),
);
