import { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type {
  OperationObject,
  ResponseObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { IS_PUBLIC_KEY } from './auth/decorators/public.decorator';
import { ErrorCode } from './common/errors';
import { errorResponse, groupByStatus } from './common/swagger/api-errors.decorator';
import { addExamples } from './common/swagger/examples';
import { operationsWithMetadata } from './common/swagger/operation-metadata';
import {
  HEADERS_ON_EVERY_ANSWER,
  headerRefs,
  RESPONSE_HEADERS,
  ResponseHeaderName,
} from './common/swagger/response-headers';
import { requestInterceptor, responseInterceptor } from './common/swagger/swagger-ui-auth';
import { OAuthConfig } from './config';

const BODY_ERRORS = [
  ErrorCode.ValidationFailed,
  ErrorCode.PayloadTooLarge,
  ErrorCode.UnsupportedMediaType,
];

/** Every operation of the document. */
function operationsOf(document: OpenAPIObject): OperationObject[] {
  return Object.values(document.paths).flatMap((item) =>
    (Object.values(item) as OperationObject[]).filter((operation) => operation?.responses),
  );
}

/**
 * Errors every route can give whatever its decorators say: 431 from the HTTP parser, 503
 * while the database is away, and for routes with a body the parser's 400/413/415. A status a
 * route already documents keeps its own response.
 */
function addCommonErrors(document: OpenAPIObject): void {
  for (const operation of operationsOf(document)) {
    const codes = [
      ErrorCode.HeadersTooLarge,
      ErrorCode.ServiceUnavailable,
      ...(operation.requestBody ? BODY_ERRORS : []),
    ];
    for (const [status, group] of groupByStatus(codes)) {
      if (status === 503 && operation.operationId?.startsWith('HealthController')) continue;
      operation.responses[status] ??= errorResponse(status, group);
    }
  }
}

/** Adds the named headers to a response (a header it declares already stays as it is). */
function declareHeaders(response: ResponseObject, names: ResponseHeaderName[]): void {
  response.headers = { ...headerRefs(...names), ...response.headers };
}

/**
 * The headers the server sends by status, whatever the route: X-Request-Id on every answer,
 * WWW-Authenticate on 401 (all-exceptions.filter.ts), Retry-After on 429 and 503.
 */
function addResponseHeaders(document: OpenAPIObject): void {
  document.components = { ...document.components, headers: RESPONSE_HEADERS };
  for (const operation of operationsOf(document)) {
    for (const [status, response] of Object.entries(operation.responses)) {
      if (!response || '$ref' in response) continue;
      declareHeaders(response, [
        'X-Request-Id',
        ...(status === '401' ? (['WWW-Authenticate'] as const) : []),
        ...(status === '429' || status === '503' ? (['Retry-After'] as const) : []),
      ]);
    }
  }
}

/**
 * What the routes' own metadata says, so a new route follows without Swagger code of its own:
 * a `@Public()` route that declares no other credential (a cookie, HTTP Basic) has
 * `security: []`, i.e. none; `@HeadersOnEveryAnswer(...)` declares its headers on every
 * response of the route (logout's cleared cookie, the OAuth routes' no-store).
 */
function addRouteMetadata(app: INestApplication, document: OpenAPIObject): void {
  for (const { operation, metadata } of operationsWithMetadata(app, document)) {
    if (metadata<boolean>(IS_PUBLIC_KEY) && !operation.security) operation.security = [];
    const everywhere = metadata<ResponseHeaderName[]>(HEADERS_ON_EVERY_ANSWER) ?? [];
    for (const response of Object.values(operation.responses)) {
      if (everywhere.length && response && !('$ref' in response)) {
        declareHeaders(response, everywhere);
      }
    }
  }
}

const DESCRIPTION = [
  'Access/refresh token flow. `POST /api/auth/register` or `/api/auth/login` answers a token ' +
    'pair: a short-lived `accessToken` (a JWT, sent as `Authorization: Bearer` to every route ' +
    'that declares the `bearer` scheme) and a single-use `refreshToken`, also set as the ' +
    'HttpOnly `refresh_token` cookie (`Set-Cookie`, path /api/auth). When a call answers 401 ' +
    '`token_expired`, `POST /api/auth/refresh` with the refresh token (body or cookie) answers ' +
    'a new pair and spends the old token; presenting a spent token again revokes the session ' +
    '(401 `refresh_token_reused`). `POST /api/auth/logout` ends the session and clears the ' +
    'cookie. Resource servers verify access tokens with the keys at /.well-known/jwks.json or ' +
    'ask /api/oauth/introspect.',
  'Every error has the shape {statusCode, error, code, message}; clients branch on `code`. ' +
    'Answers carry `X-Request-Id`: quote it in a report.',
  'In Swagger UI, register or log in with "Try it out": the UI authorizes itself with the ' +
    'returned accessToken, and when that expires it refreshes once through the cookie and ' +
    'retries. Refresh and logout work from the UI with the cookie alone (body `{}`). For a ' +
    'user with a second factor, login answers mfaRequired: "Try it out" on /api/auth/mfa/verify ' +
    'then starts with that mfaToken in the body, and its token pair authorizes the UI.',
].join('\n\n');

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
  const publicUrl = app.get(ConfigService).getOrThrow<OAuthConfig>('oauth').publicUrl;
  const builder = new DocumentBuilder()
    .setTitle('Auth service')
    .setDescription(DESCRIPTION)
    .setVersion('0.1.0')
    // The repository's license (package.json). The contact (below) is whoever runs this
    // deployment, at its PUBLIC_URL: this project has no address of its own to give.
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    // PUBLIC_URL: the base the paths (which carry /api themselves) are relative to.
    .addServer(publicUrl, 'This deployment (PUBLIC_URL)')
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
  const config = builder.build();
  config.info.contact = { name: 'The operators of this deployment', url: publicUrl };
  const document = SwaggerModule.createDocument(app, config);
  addCommonErrors(document);
  addResponseHeaders(document);
  addRouteMetadata(app, document);
  addExamples(document);
  // The UI calls the origin it was loaded from, whatever PUBLIC_URL says (a developer on
  // 127.0.0.1 while PUBLIC_URL names localhost): the page's CSP allows no other (connect-src
  // 'self'), and the refresh cookie's origin check wants the page's own.
  const uiDocument: OpenAPIObject = {
    ...document,
    servers: [{ url: '/', description: 'The origin this page was loaded from' }],
  };
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    patchDocumentOnRequest: <TRequest>(request: TRequest) =>
      (request as { url?: string }).url?.split('?')[0].endsWith('/swagger-ui-init.js')
        ? uiDocument
        : document,
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
