import { SetMetadata } from '@nestjs/common';
import type {
  HeaderObject,
  ReferenceObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/**
 * The response headers a client or a gateway may act on, declared once under
 * `components.headers` (setupSwagger adds them) and referenced from each response that sends
 * them, so generated clients and gateways see them rather than read prose.
 */
export const RESPONSE_HEADERS = {
  'X-Request-Id': {
    description:
      "The request's id, also `requestId` in error bodies and on the server's log lines. The " +
      'caller may choose it by sending X-Request-Id (1-64 of A-Z a-z 0-9 . _ -); otherwise a ' +
      'UUID. (Absent only on the raw 400/408/431 of a request the HTTP parser refused.)',
    schema: { type: 'string', example: '0b6f3c1e-7a52-4c8e-9d2f-5e1a4b7c9d30' },
  },
  'WWW-Authenticate': {
    description:
      'On access-token errors `Bearer realm="api"` (with `error="invalid_token"` when a token ' +
      'was sent, RFC 6750); on `invalid_client` the Basic challenge of the OAuth endpoints.',
    schema: { type: 'string', example: 'Bearer realm="api", error="invalid_token"' },
  },
  'Retry-After': {
    description: 'Whole seconds until a retry is worth it',
    schema: { type: 'integer', minimum: 1, example: 60 },
  },
  'Set-Cookie': {
    description:
      'The refresh token as `refresh_token`: HttpOnly, SameSite=Strict, Path=/api/auth, Max-Age ' +
      'its lifetime, Secure in production. Routes that end a session clear it (empty value, ' +
      'expired), also when they fail.',
    schema: {
      type: 'string',
      example:
        'refresh_token=eyJhbGciOiJIUzI1NiJ9…; Max-Age=604800; Path=/api/auth; HttpOnly; SameSite=Strict',
    },
  },
  'Cache-Control': {
    description:
      '`no-store` on tokens, sessions ended, health, metrics and the OAuth answers; ' +
      '`public, max-age=N` on the JWKS and the RFC 8414 metadata',
    schema: { type: 'string', example: 'no-store' },
  },
  Pragma: {
    description: '`no-cache` beside `Cache-Control: no-store` on token responses (HTTP/1.0 caches)',
    schema: { type: 'string', example: 'no-cache' },
  },
} satisfies Record<string, HeaderObject>;

export type ResponseHeaderName = keyof typeof RESPONSE_HEADERS;

export const HEADERS_ON_EVERY_ANSWER = 'swaggerHeadersOnEveryAnswer';

/**
 * The route (or every route of the controller) may send these headers with any of its
 * answers, errors included: setupSwagger declares them on each of its responses. For headers
 * a handler, guard or interceptor sets before it can still fail (the OAuth routes' no-store,
 * the cleared refresh cookie of logout).
 */
export const HeadersOnEveryAnswer = (...names: ResponseHeaderName[]) =>
  SetMetadata(HEADERS_ON_EVERY_ANSWER, names);

/** A response's `headers` map referencing the named components. */
export function headerRefs(...names: ResponseHeaderName[]): Record<string, ReferenceObject> {
  return Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));
}
