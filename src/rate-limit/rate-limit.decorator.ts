import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiExtraModels, ApiResponse } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { ErrorCode } from '../common/errors';
import { errorResponse } from '../common/swagger/api-errors.decorator';
import { ErrorResponseDto } from '../common/swagger/error-response.dto';
import { AfterAuthRateLimitGuard } from './after-auth-rate-limit.guard';
import { RATE_LIMIT_KEY, RATE_LIMIT_RULES, RateLimitedRoute } from './rate-limit.rules';

export { RATE_LIMIT_KEY };

/**
 * Counts every request to the route against the rules of `route` (rate-limit.rules.ts) and
 * answers 429 `too_many_requests` with `Retry-After` once one is exhausted. The check runs in
 * a global guard, so before the route's own guards: before body validation and bcrypt.
 * `@RateLimit('login')`; a new kind of route adds its rules to RATE_LIMIT_RULES.
 */
export function RateLimit(route: RateLimitedRoute) {
  const otherRules = RATE_LIMIT_RULES.filter((rule) => rule.route !== route);
  // Rules that count the authenticated caller run in a second pass of the guard, after
  // authentication (route-level guards run after the global ones).
  const afterAuth = RATE_LIMIT_RULES.some((rule) => rule.route === route && rule.afterAuth);
  return applyDecorators(
    SetMetadata(RATE_LIMIT_KEY, route),
    ...(afterAuth ? [UseGuards(AfterAuthRateLimitGuard)] : []),
    SkipThrottle(Object.fromEntries(otherRules.map((rule) => [rule.name, true]))),
    ApiExtraModels(ErrorResponseDto),
    ApiResponse({
      status: 429,
      // Its Retry-After header: setupSwagger declares it on every 429.
      ...errorResponse(429, [ErrorCode.TooManyRequests]),
    }),
  );
}
