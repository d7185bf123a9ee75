import { INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ApplicationConfig, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { IS_PUBLIC_KEY } from '../../src/auth/decorators/public.decorator';

/** One route handler registered by a controller. */
export interface RouteInfo {
  /** Upper-case HTTP method: GET, POST, PATCH, … */
  method: string;
  /** Full path with the global prefix (unless excluded from it), Nest style: `/api/articles/:id`. */
  path: string;
  /** `Controller.handler`, for readable failure messages. */
  handler: string;
  /** True when `@Public()` sits on the handler or its controller (the guard's own rule). */
  isPublic: boolean;
}

function asArray(value: unknown): string[] {
  if (value === undefined || value === null) return [''];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function joinPath(...parts: string[]): string {
  const joined = parts
    .flatMap((part) => part.split('/'))
    .filter((segment) => segment !== '')
    .join('/');
  return `/${joined}`;
}

/**
 * Every route the app's controllers register, read from Nest's own routing metadata (the same
 * PATH/METHOD metadata the router uses) over every module in the container, with `@Public()`
 * resolved the way JwtAuthGuard resolves it (handler first, then class).
 */
export function listRoutes(app: INestApplication): RouteInfo[] {
  const reflector = new Reflector();
  const scanner = new MetadataScanner();
  const routes: RouteInfo[] = [];
  const seen = new Set<unknown>();
  const config = app.get(ApplicationConfig);
  const prefix = config.getGlobalPrefix();
  const excluded = config.getGlobalPrefixOptions().exclude ?? [];
  // A route the prefix excludes (`/metrics`) is served without it, as Nest's router does.
  const prefixFor = (path: string, method: RequestMethod) =>
    excluded.some(
      (route) =>
        (route.requestMethod === RequestMethod.ALL || route.requestMethod === method) &&
        route.pathRegex.test(path),
    )
      ? ''
      : prefix;

  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: unknown[]) => unknown) | null;
      if (!controller || seen.has(controller)) continue;
      seen.add(controller);
      const prototype = controller.prototype as Record<string, unknown>;
      const controllerPaths = asArray(Reflect.getMetadata(PATH_METADATA, controller));

      for (const name of scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as (...args: unknown[]) => unknown;
        const handlerPath: unknown = Reflect.getMetadata(PATH_METADATA, handler);
        if (handlerPath === undefined) continue;
        const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod;
        const isPublic =
          reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [handler, controller]) === true;
        for (const base of controllerPaths) {
          for (const sub of asArray(handlerPath)) {
            routes.push({
              method: RequestMethod[requestMethod],
              path: joinPath(prefixFor(joinPath(base, sub), requestMethod), base, sub),
              handler: `${controller.name}.${name}`,
              isPublic,
            });
          }
        }
      }
    }
  }
  return routes.sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
}

/** `/api/articles/:id` → `/api/articles/{id}` (the OpenAPI path style). */
export function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** Replaces every `:param` with the given value, e.g. a random UUID. */
export function fillParams(path: string, value: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, value);
}

/** `METHOD /path`, the form the allow-lists and failure messages use. */
export const routeKey = (route: Pick<RouteInfo, 'method' | 'path'>) =>
  `${route.method} ${route.path}`;
