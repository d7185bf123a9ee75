import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { RateLimitGuard } from './rate-limit.guard';

/**
 * The second pass of RateLimitGuard on a route with `afterAuth` rules: a route-level guard,
 * so it runs after the global access-token guard. It borrows RateLimitModule's guard when
 * first used rather than injecting it, so a module without rate limits (the CLI's) can still
 * load the controllers.
 */
@Injectable()
export class AfterAuthRateLimitGuard implements CanActivate {
  private guard?: RateLimitGuard;

  constructor(private readonly moduleRef: ModuleRef) {}

  canActivate(context: ExecutionContext): Promise<boolean> {
    this.guard ??= this.moduleRef.get(RateLimitGuard, { strict: false });
    return this.guard.canActivate(context);
  }
}
