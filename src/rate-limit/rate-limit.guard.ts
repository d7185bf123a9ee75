import { createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerGuard } from '@nestjs/throttler';
import {
  THROTTLER_BLOCK_DURATION,
  THROTTLER_KEY_GENERATOR,
  THROTTLER_LIMIT,
  THROTTLER_SKIP,
  THROTTLER_TRACKER,
  THROTTLER_TTL,
} from '@nestjs/throttler/dist/throttler.constants';
import type {
  ThrottlerGenerateKeyFunction,
  ThrottlerGetTrackerFunction,
} from '@nestjs/throttler/dist/throttler-module-options.interface';
import type {
  ThrottlerLimitDetail,
  ThrottlerRequest,
} from '@nestjs/throttler/dist/throttler.guard.interface';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppException, ErrorCode } from '../common/errors';
import { RATE_LIMIT_KEY, RATE_LIMIT_RULES, rateLimitKey } from './rate-limit.rules';

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
  /** Per controller class and handler: its rules with their settings, or null (dynamic). */
  private readonly plans = new WeakMap<object, Map<object, RulePlan[] | null>>();

  /**
   * ThrottlerGuard's decision, with what it reads from route metadata on every request (a
   * skip flag for each of the 14 rules, then five settings of each rule left) read once per
   * route: metadata is fixed once the app has started. A route whose settings are functions
   * of the request (none here) goes through ThrottlerGuard as it is.
   */
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const handler = context.getHandler();
    if (!this.reflector.get<string>(RATE_LIMIT_KEY, handler)) return true;
    const plan = this.planFor(context.getClass(), handler);
    if (plan === null) return super.canActivate(context);
    let allowed = true;
    for (const rule of plan) {
      if (rule.skipIf?.(context)) continue;
      if (!(await this.handleRequest({ context, ...rule }))) allowed = false;
    }
    return allowed;
  }

  protected shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(!this.reflector.get<string>(RATE_LIMIT_KEY, context.getHandler()));
  }

  protected generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return rateLimitKey(name, tracker);
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

  /** The rules of a route as ThrottlerGuard.canActivate resolves them (same metadata keys). */
  private planFor(classRef: object, handler: object): RulePlan[] | null {
    let byHandler = this.plans.get(classRef);
    if (!byHandler) {
      byHandler = new Map();
      this.plans.set(classRef, byHandler);
    }
    let plan = byHandler.get(handler);
    if (plan !== undefined) return plan;
    const targets = [handler, classRef] as Parameters<Reflector['getAllAndOverride']>[1];
    const meta = <T>(key: string, name: string) =>
      this.reflector.getAllAndOverride<T | undefined>(key + name, targets);
    plan = [];
    for (const throttler of this.throttlers) {
      const name = throttler.name ?? 'default';
      if (meta<boolean>(THROTTLER_SKIP, name)) continue;
      const limit = meta<unknown>(THROTTLER_LIMIT, name) ?? throttler.limit;
      const ttl = meta<unknown>(THROTTLER_TTL, name) ?? throttler.ttl;
      const blockDuration =
        meta<unknown>(THROTTLER_BLOCK_DURATION, name) ?? throttler.blockDuration ?? ttl;
      if (
        typeof limit !== 'number' ||
        typeof ttl !== 'number' ||
        typeof blockDuration !== 'number'
      ) {
        plan = null;
        break;
      }
      plan.push({
        limit,
        ttl,
        blockDuration,
        throttler,
        skipIf: throttler.skipIf ?? this.commonOptions.skipIf,
        getTracker:
          meta<ThrottlerGetTrackerFunction>(THROTTLER_TRACKER, name) ??
          throttler.getTracker ??
          this.commonOptions.getTracker!,
        generateKey:
          meta<ThrottlerGenerateKeyFunction>(THROTTLER_KEY_GENERATOR, name) ??
          throttler.generateKey ??
          this.commonOptions.generateKey!,
      });
    }
    byHandler.set(handler, plan);
    return plan;
  }

  protected throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    return Promise.reject(new Exhausted(detail.timeToBlockExpire));
  }
}

type RulePlan = Omit<ThrottlerRequest, 'context'> & {
  skipIf?: (context: ExecutionContext) => boolean;
};

/**
 * True when an exhausted quiet rule of the route let this request through: the handler
 * answers as usual and does none of the work the limit protects (no mail).
 */
export const RateLimited = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  quietlyLimited.has(context.switchToHttp().getRequest<object>()),
);
