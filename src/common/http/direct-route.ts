import {
  CanActivate,
  ExceptionFilter,
  ForbiddenException,
  Type,
  ValidationPipe,
} from '@nestjs/common';
import {
  CUSTOM_ROUTE_ARGS_METADATA,
  EXCEPTION_FILTERS_METADATA,
  FILTER_CATCH_EXCEPTIONS,
  GUARDS_METADATA,
  HEADERS_METADATA,
  HTTP_CODE_METADATA,
  INTERCEPTORS_METADATA,
  REDIRECT_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants';
import { ApplicationConfig } from '@nestjs/core';
// Nest's answer when a guard returns false (its GuardsConsumer's).
import { FORBIDDEN_MESSAGE } from '@nestjs/core/guards/constants';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { isObservable, lastValueFrom } from 'rxjs';

/** A controller route that Fastify serves without Nest's router (serveDirectly). */
export interface DirectRoute<C> {
  method: 'POST' | 'GET';
  /** The route's full path as Fastify registers it (global prefix included). */
  url: string;
  controller: Type<C>;
  /** The controller method Nest would call; its guards, status code and filter apply. */
  handler: keyof C & string;
  /** The method's call with its arguments as its parameter decorators would give them. */
  call: (controller: C, request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

/** Per Fastify instance, the routes serveDirectly has taken over ("POST /api/auth/refresh"). */
const served = new WeakMap<FastifyInstance, Set<string>>();

/** Whether `fastify` serves `method url` by serveDirectly's handler (tests and diagnostics). */
export function isServedDirectly(fastify: FastifyInstance, method: string, url: string): boolean {
  return served.get(fastify)?.has(`${method} ${url}`) ?? false;
}

/**
 * Serves one controller route straight from its Fastify handler: the same guards in Nest's
 * order (the global ones, then the controller's, then the route's — the very instances Nest
 * made), the route's status code, the app's exception filter for every error, and then the
 * controller method itself. What is skipped is Nest's router around them (its execution
 * context, parameter factories, response controller and the async layers between them), ~6 %
 * of a refresh's CPU (docs/performance.md). Fastify's hooks (request ids, security headers,
 * cookies, metrics) run as for every route.
 *
 * Only routes the shortcut is exact for: no interceptors, pipes given by the call, no route
 * filters, headers or redirects, and one catch-all global filter — anything else and the app
 * refuses to start rather than serve the route differently. Called before `app.init()`.
 */
export function serveDirectly<C>(app: NestFastifyApplication, route: DirectRoute<C>): void {
  const fastify: FastifyInstance = app.getHttpAdapter().getInstance();
  const config = app.get(ApplicationConfig);
  const method = route.controller.prototype[route.handler] as (...args: unknown[]) => unknown;
  const targets = [route.controller, method];
  const metadata = <T>(key: string, target: object) =>
    Reflect.getMetadata(key, target) as T | undefined;
  const refuse = (why: string) => {
    throw new Error(`serveDirectly(${route.method} ${route.url}): ${why}`);
  };

  const filters = config.getGlobalFilters();
  if (filters.length !== 1 || config.getGlobalRequestFilters().length > 0) {
    refuse('needs exactly one global exception filter');
  }
  const filter: ExceptionFilter = filters[0];
  if ((metadata<unknown[]>(FILTER_CATCH_EXCEPTIONS, filter.constructor) ?? []).length > 0) {
    refuse('the global exception filter must catch everything');
  }
  if (
    config.getGlobalInterceptors().length > 0 ||
    config.getGlobalRequestInterceptors().length > 0 ||
    targets.some((target) => (metadata<unknown[]>(INTERCEPTORS_METADATA, target) ?? []).length)
  ) {
    refuse('routes with interceptors go through Nest');
  }
  for (const key of [EXCEPTION_FILTERS_METADATA, HEADERS_METADATA, REDIRECT_METADATA]) {
    if (targets.some((target) => metadata<unknown>(key, target) !== undefined)) {
      refuse(`the route has ${key} metadata, which only Nest's router applies`);
    }
  }
  // Its parameters: custom decorators only (what `call` computes), no pipes on them, and no
  // global pipe that would look at them (ValidationPipe skips them unless told otherwise).
  const args =
    (Reflect.getMetadata(ROUTE_ARGS_METADATA, route.controller, route.handler) as
      Record<string, { pipes?: unknown[] }> | undefined) ?? {};
  for (const [key, param] of Object.entries(args)) {
    if (!key.includes(CUSTOM_ROUTE_ARGS_METADATA) || (param.pipes ?? []).length > 0) {
      refuse(`parameter ${key} needs Nest's parameter pipeline`);
    }
  }
  for (const pipe of config.getGlobalPipes()) {
    const validatesCustom = (pipe as unknown as { validateCustomDecorators?: boolean })
      .validateCustomDecorators;
    if (!(pipe instanceof ValidationPipe) || validatesCustom) {
      refuse('a global pipe would see the custom parameters');
    }
  }
  if (config.getGlobalRequestPipes().length > 0) refuse('request-scoped global pipes');
  if (config.getGlobalRequestGuards().length > 0) refuse('request-scoped global guards');
  const guards: CanActivate[] = [
    ...config.getGlobalGuards(),
    ...targets.flatMap((target) =>
      // A class: the instance Nest made for the route's module; `@UseGuards(new X())`: that.
      (metadata<(Type<CanActivate> | CanActivate)[]>(GUARDS_METADATA, target) ?? []).map((guard) =>
        typeof guard === 'function' ? app.get(guard, { strict: false }) : guard,
      ),
    ),
  ];
  // Nest's default for POST is 201; @HttpCode sets it.
  const status =
    metadata<number>(HTTP_CODE_METADATA, method) ?? (route.method === 'POST' ? 201 : 200);

  const controller = app.get(route.controller);
  fastify.addHook('onRoute', (options: RouteOptions) => {
    if (options.method !== route.method || options.url !== route.url) return;
    if (!served.has(fastify)) served.set(fastify, new Set());
    served.get(fastify)!.add(`${route.method} ${route.url}`);
    options.handler = async function direct(request: FastifyRequest, reply: FastifyReply) {
      const context = new ExecutionContextHost([request, reply], route.controller, method);
      context.setType('http');
      try {
        for (const guard of guards) {
          const allowed = guard.canActivate(context);
          const value = isObservable(allowed)
            ? await lastValueFrom(allowed)
            : allowed instanceof Promise
              ? await allowed
              : allowed;
          if (!value) throw new ForbiddenException(FORBIDDEN_MESSAGE);
        }
        // Set before the call, as Nest's router does: the method may still set another.
        void reply.code(status);
        return await route.call(controller, request, reply);
      } catch (error) {
        filter.catch(error, context);
        return reply;
      }
    };
  });
  fastify.addHook('onReady', (done) =>
    done(
      isServedDirectly(fastify, route.method, route.url)
        ? undefined
        : new Error(`serveDirectly: no route ${route.method} ${route.url}`),
    ),
  );
}
