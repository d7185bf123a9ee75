import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { OperationObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ErrorCode } from './common/errors';
import { errorResponse, groupByStatus } from './common/swagger/api-errors.decorator';
import { addExamples } from './common/swagger/examples';
import { requestInterceptor, responseInterceptor } from './common/swagger/swagger-ui-auth';

const BODY_ERRORS = [
  ErrorCode.ValidationFailed,
  ErrorCode.PayloadTooLarge,
  ErrorCode.UnsupportedMediaType,
];

/**
 * Errors every route can give whatever its decorators say: 503 while the database is away,
 * and for routes with a body the parser's 400/413/415. Codes a route already documents under
 * the same status are merged, not replaced.
 */
function addCommonErrors(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as OperationObject[]) {
      if (!operation?.responses) continue;
      const codes = [ErrorCode.ServiceUnavailable, ...(operation.requestBody ? BODY_ERRORS : [])];
      for (const [status, group] of groupByStatus(codes)) {
        const existing = operation.responses[status] as { description?: string } | undefined;
        if (status === 503 && operation.operationId?.startsWith('HealthController')) continue;
        if (!existing) operation.responses[status] = errorResponse(status, group);
      }
    }
  }
}

/** The route groups, in the order Swagger UI lists them. */
const TAGS: [string, string][] = [
  ['auth', 'Register, log in, refresh, log out; sessions, password change and reset, email'],
  ['mfa', 'Two-factor authentication (TOTP): enrolment, the login step, reauthentication'],
  ['users', "The caller's own profile"],
  ['articles', 'The example resource: public reads, writes by the author or an admin'],
  ['admin', 'User administration (role admin)'],
  ['oauth', 'RFC 7662 introspection and RFC 7009 revocation for resource servers'],
  ['keys', 'JWKS and RFC 8414 metadata, at /.well-known outside the /api prefix'],
  ['health', 'Readiness'],
  ['metrics', 'Prometheus metrics, at /metrics outside the /api prefix'],
];

/**
 * Swagger UI at /docs, the OpenAPI JSON at /docs-json. The UI handles the token flow by itself
 * (swagger-ui-auth.ts): token responses authorize it, an expired access token is refreshed
 * through the cookie and the request retried; the authorization survives reloads.
 */
export function setupSwagger(app: INestApplication): void {
  const builder = new DocumentBuilder()
    .setTitle('Auth service')
    .setDescription(
      'Access/refresh token flow. Register or log in with "Try it out": the UI authorizes ' +
        'itself with the returned accessToken, and when that expires (401 token_expired) it ' +
        'refreshes once through the HttpOnly refresh_token cookie and retries. Refresh and ' +
        'logout work from the UI with the cookie alone (body `{}`). Every error has the shape ' +
        '{statusCode, error, code, message}; clients branch on code.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addBasicAuth(
      {
        type: 'http',
        scheme: 'basic',
        description: 'A resource server: an id and secret from INTROSPECTION_CLIENTS',
      },
      'oauth-client',
    )
    .addCookieAuth(
      'refresh_token',
      { type: 'apiKey', in: 'cookie', name: 'refresh_token' },
      'refresh_token',
    );
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build());
  addCommonErrors(document);
  addExamples(document);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    // BaseLayout: no top bar. Its Swagger logo is an SVG with an inline <style> that the
    // page's CSP (no 'unsafe-inline', see security-headers.ts) would block; the bar's one
    // other part, the spec URL box, is hidden by @nestjs/swagger anyway.
    // The interceptors are written into swagger-ui-init.js (a script file, allowed by the CSP's
    // script-src 'self'), not into the page.
    swaggerOptions: {
      persistAuthorization: true,
      layout: 'BaseLayout',
      requestInterceptor,
      responseInterceptor,
    },
  });
}
