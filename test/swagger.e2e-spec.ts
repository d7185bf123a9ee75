import { readFileSync } from 'node:fs';
import { Script } from 'node:vm';
import { staleness } from '../scripts/lib/openapi';
import { ERROR_STATUS, ErrorCode } from '../src/common/errors';
import { createTestApp, TestApp } from './utils/create-app';
import { listRoutes, routeKey, RouteInfo, toOpenApiPath } from './utils/routes';

interface OpenApiMedia {
  schema?: Record<string, unknown>;
  example?: unknown;
  examples?: Record<string, { summary?: string; value?: unknown }>;
}

interface OpenApiResponse {
  description?: string;
  $ref?: string;
  content?: Record<string, OpenApiMedia>;
  headers?: Record<string, { $ref?: string; description?: string }>;
}

interface OpenApiOperation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  requestBody?: { required?: boolean; content?: Record<string, OpenApiMedia> };
  responses?: Record<string, OpenApiResponse>;
}

interface OpenApiDocument {
  openapi: string;
  info: {
    description?: string;
    license?: { name?: string; url?: string };
    contact?: { name?: string; url?: string };
  };
  servers?: { url: string }[];
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, { properties?: Record<string, unknown> }>;
    securitySchemes: Record<string, { type: string; scheme?: string }>;
    headers?: Record<string, { description?: string; schema?: unknown }>;
  };
}

/** GET /api/health keeps its own body on 503 (the contract's one exception to the error shape). */
const OWN_ERROR_BODY = new Set(['GET /api/health']);

/** What `servers` must name: this app's PUBLIC_URL. */
const PUBLIC_URL = 'http://127.0.0.1:3000';

/** The routes a rate limit counts (429 too_many_requests). */
const RATE_LIMITED = ['POST /api/auth/register', 'POST /api/auth/login', 'POST /api/auth/refresh'];

/** The codes shown as examples of one error response, e.g. ['token_missing', …]. */
const exampleCodes = (response: OpenApiResponse | undefined): string[] =>
  Object.values(response?.content?.['application/json']?.examples ?? {}).map(
    (example) => (example.value as { code?: string } | undefined)?.code ?? '',
  );

describe('Swagger / OpenAPI document', () => {
  let t: TestApp;
  let doc: OpenApiDocument;
  let routes: RouteInfo[];
  let errorSchemaName: string;

  const operationOf = (route: RouteInfo): OpenApiOperation | undefined =>
    doc.paths[toOpenApiPath(route.path)]?.[route.method.toLowerCase()];

  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_URL });
    routes = listRoutes(t.app);
    const res = await t.http().get('/docs-json').expect(200);
    doc = res.body as OpenApiDocument;
    errorSchemaName =
      Object.keys(doc.components?.schemas ?? {}).find((name) =>
        /^ErrorResponse(Dto)?$/.test(name),
      ) ?? 'ErrorResponse';
  });
  afterAll(() => t.close());

  it('serves the Swagger UI as HTML at /docs', async () => {
    const res = await t.http().get('/docs').redirects(2);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toMatch(/swagger-ui/i);
  });

  it('serves an OpenAPI 3 JSON document at /docs-json', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).length).toBeGreaterThan(0);
    expect(routes.length).toBeGreaterThanOrEqual(15);
  });

  it('documents every registered route with its method', () => {
    const missing = routes.filter((route) => !operationOf(route)).map(routeKey);
    expect(missing).toEqual([]);
  });

  it('gives every operation a 2xx response with a schema or a description', () => {
    const bad = routes
      .filter((route) => {
        const responses = operationOf(route)?.responses ?? {};
        return !Object.entries(responses).some(
          ([status, response]) =>
            /^2\d\d$/.test(status) &&
            (Boolean(response.content?.['application/json']?.schema) ||
              (typeof response.description === 'string' && response.description.trim() !== '')),
        );
      })
      .map(routeKey);
    expect(bad).toEqual([]);
  });

  it('declares bearer security and a 401 response on every non-public operation', () => {
    const bad = routes
      .filter((route) => !route.isPublic)
      .filter((route) => {
        const operation = operationOf(route);
        const bearerDeclared = (operation?.security ?? []).some((requirement) =>
          Object.keys(requirement).some(
            (name) => doc.components.securitySchemes[name]?.scheme === 'bearer',
          ),
        );
        return !bearerDeclared || !operation?.responses?.['401'];
      })
      .map(routeKey);
    expect(routes.filter((route) => !route.isPublic).length).toBeGreaterThanOrEqual(10);
    expect(bad).toEqual([]);
  });

  it('has the ErrorResponse schema with the contract fields', () => {
    const schema = doc.components.schemas[errorSchemaName];
    expect(schema).toBeDefined();
    expect(Object.keys(schema.properties ?? {})).toEqual(
      expect.arrayContaining(['statusCode', 'error', 'code', 'message']),
    );
  });

  it('makes every 4xx/5xx response reference the ErrorResponse schema', () => {
    const ref = `#/components/schemas/${errorSchemaName}`;
    const bad: string[] = [];
    let errorResponses = 0;
    for (const route of routes.filter((r) => !OWN_ERROR_BODY.has(routeKey(r)))) {
      for (const [status, response] of Object.entries(operationOf(route)?.responses ?? {})) {
        if (!/^[45]\d\d$/.test(status)) continue;
        errorResponses++;
        const schema = response.content?.['application/json']?.schema;
        if (schema?.$ref !== ref) bad.push(`${routeKey(route)} ${status}`);
      }
    }
    expect(errorResponses).toBeGreaterThanOrEqual(10);
    expect(bad).toEqual([]);
  });

  it('defines an http bearer security scheme', () => {
    const schemes = Object.values(doc.components.securitySchemes ?? {});
    expect(schemes).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'http', scheme: 'bearer' })]),
    );
  });

  it('gives every operation a summary and a tag the document declares with a description', () => {
    const declared = new Map((doc.tags ?? []).map((tag) => [tag.name, tag.description ?? '']));
    const bad = routes
      .filter((route) => {
        const operation = operationOf(route);
        const tags = operation?.tags ?? [];
        return (
          !operation?.summary?.trim() ||
          tags.length === 0 ||
          tags.some((tag) => !declared.get(tag)?.trim())
        );
      })
      .map(routeKey);
    expect(bad).toEqual([]);
    expect([...declared.keys()]).toEqual(
      expect.arrayContaining(['auth', 'users', 'articles', 'admin', 'health']),
    );
  });

  it('gives every JSON request body and every JSON 2xx response an example', () => {
    const bad: string[] = [];
    for (const route of routes) {
      const operation = operationOf(route);
      const carriers: [string, OpenApiMedia | undefined][] = [
        ['request', operation?.requestBody?.content?.['application/json']],
        ...Object.entries(operation?.responses ?? {})
          .filter(([status]) => /^2\d\d$/.test(status))
          .map(([status, response]): [string, OpenApiMedia | undefined] => [
            status,
            response.content?.['application/json'],
          ]),
      ];
      for (const [what, media] of carriers) {
        if (!media) continue;
        const examples = Object.values(media.examples ?? {}).map((example) => example.value);
        const values = media.example !== undefined ? [media.example, ...examples] : examples;
        if (values.length === 0 || values.some((value) => value === undefined)) {
          bad.push(`${routeKey(route)} ${what}`);
        }
      }
    }
    expect(bad).toEqual([]);
    const me = doc.paths['/api/users/me'].get.responses?.['200'].content?.['application/json'];
    expect(me?.example).toEqual(
      expect.objectContaining({ email: expect.any(String), roles: expect.any(Array) }),
    );
  });

  it('shows every error response with one example per code, in the error shape', () => {
    const bad: string[] = [];
    for (const route of routes.filter((r) => !OWN_ERROR_BODY.has(routeKey(r)))) {
      for (const [status, response] of Object.entries(operationOf(route)?.responses ?? {})) {
        if (!/^[45]\d\d$/.test(status)) continue;
        const examples = Object.entries(response.content?.['application/json']?.examples ?? {});
        if (examples.length === 0) bad.push(`${routeKey(route)} ${status}: no example`);
        for (const [name, example] of examples) {
          const value = example.value as Record<string, unknown>;
          const code = String(value?.code);
          const fits =
            name === code &&
            ERROR_STATUS[code as ErrorCode] === Number(status) &&
            value.statusCode === Number(status) &&
            typeof value.error === 'string' &&
            (typeof value.message === 'string' || Array.isArray(value.message)) &&
            String(response.description).includes(`\`${code}\``);
          if (!fits) bad.push(`${routeKey(route)} ${status}: ${name}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('documents the errors each kind of route can give', () => {
    const missing: string[] = [];
    const expectCodes = (route: RouteInfo, status: number, codes: string[]) => {
      const shown = exampleCodes(operationOf(route)?.responses?.[String(status)]);
      for (const code of codes.filter((c) => !shown.includes(c))) {
        missing.push(`${routeKey(route)} ${status} ${code}`);
      }
    };
    for (const route of routes) {
      const key = routeKey(route);
      const operation = operationOf(route);
      if (!route.isPublic) {
        expectCodes(route, 401, [
          'token_missing',
          'token_invalid',
          'token_expired',
          'token_revoked',
        ]);
      }
      if (operation?.requestBody) {
        expectCodes(route, 400, ['validation_failed']);
        expectCodes(route, 413, ['payload_too_large']);
        expectCodes(route, 415, ['unsupported_media_type']);
      }
      if (route.path.includes(':id')) {
        expectCodes(route, 400, ['validation_failed']);
        expectCodes(route, 404, ['not_found']);
      }
      if (route.path.startsWith('/api/admin/')) expectCodes(route, 403, ['forbidden']);
      if (RATE_LIMITED.includes(key)) expectCodes(route, 429, ['too_many_requests']);
      if (!OWN_ERROR_BODY.has(key)) expectCodes(route, 503, ['service_unavailable']);
    }
    const byKey = (key: string) => routes.find((route) => routeKey(route) === key)!;
    expectCodes(byKey('POST /api/auth/register'), 409, ['email_taken']);
    expectCodes(byKey('POST /api/auth/login'), 401, ['invalid_credentials', 'user_disabled']);
    expectCodes(byKey('POST /api/auth/refresh'), 401, [
      'refresh_token_missing',
      'refresh_token_invalid',
      'refresh_token_expired',
      'refresh_token_revoked',
      'refresh_token_reused',
    ]);
    expectCodes(byKey('POST /api/auth/change-password'), 403, ['invalid_current_password']);
    expect(missing).toEqual([]);
  });

  it.each(['/api/auth/refresh', '/api/auth/logout'])(
    'lets Swagger UI call POST %s with the cookie alone: optional body, first example {}',
    (path) => {
      const operation = doc.paths[path].post;
      expect(operation.requestBody?.required).toBe(false);
      const examples = Object.values(
        operation.requestBody?.content?.['application/json']?.examples ?? {},
      );
      expect(examples[0]?.value).toEqual({});
      expect(operation.security).toEqual(expect.arrayContaining([{ refresh_token: [] }]));
    },
  );

  it('serves the UI with its auth interceptors in a script file, not inline', async () => {
    const page = await t.http().get('/docs').redirects(2).expect(200);
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc\s*=)[^>]*>/i);
    const init = await t.http().get('/docs/swagger-ui-init.js').expect(200);
    expect(() => new Script(init.text)).not.toThrow();
    expect(init.text).toMatch(/"persistAuthorization": true/);
    expect(init.text).toMatch(/"requestInterceptor": \(request\) => \{/);
    expect(init.text).toMatch(/"responseInterceptor": \(response\) => \{/);
    expect(init.text).toContain("'token_expired'");
    // The UI calls the origin it was loaded from, not PUBLIC_URL (the CSP allows only 'self').
    expect(init.text).toContain('"servers": [\n      {\n        "url": "/",');
    expect(init.text).not.toContain('This deployment (PUBLIC_URL)');
  });

  it.each([
    ['/api/auth/register', ['email', 'password']],
    ['/api/auth/login', ['email', 'password']],
    ['/api/auth/refresh', ['refreshToken']],
  ])('documents the request body schema of POST %s', (path, fields) => {
    const schema = doc.paths[path]?.post?.requestBody?.content?.['application/json']?.schema;
    expect(schema).toBeDefined();
    const ref = schema?.$ref;
    const resolved =
      typeof ref === 'string'
        ? doc.components.schemas[ref.replace('#/components/schemas/', '')]
        : schema;
    expect(Object.keys(resolved?.properties ?? {})).toEqual(expect.arrayContaining(fields));
  });
  it('names PUBLIC_URL in servers and gives info a license, a contact and the token flow', () => {
    expect(doc.servers).toEqual([expect.objectContaining({ url: PUBLIC_URL })]);
    expect(doc.info.license).toEqual(expect.objectContaining({ name: 'MIT' }));
    expect(doc.info.contact?.name?.trim()).toBeTruthy();
    expect(doc.info.description).toEqual(expect.stringContaining('/api/auth/refresh'));
    expect(doc.info.description).toEqual(expect.stringContaining('Set-Cookie'));
  });

  it('gives every operation a description and at least one 4xx response', () => {
    const bad = routes
      .filter((route) => {
        const operation = operationOf(route);
        const has4xx = Object.keys(operation?.responses ?? {}).some((s) => /^4\d\d$/.test(s));
        return !operation?.description?.trim() || !has4xx;
      })
      .map(routeKey);
    expect(bad).toEqual([]);
  });

  it('declares security on every operation; none (security: []) only on @Public() routes', () => {
    const bad = routes
      .filter((route) => {
        const security = operationOf(route)?.security;
        return !Array.isArray(security) || (security.length === 0 && !route.isPublic);
      })
      .map(routeKey);
    expect(bad).toEqual([]);
    const none = routes.filter((route) => operationOf(route)?.security?.length === 0);
    expect(none.map(routeKey)).toEqual(
      expect.arrayContaining([
        'POST /api/auth/register',
        'POST /api/auth/login',
        'GET /api/health',
      ]),
    );
    // A public route with a credential of its own keeps it.
    expect(doc.paths['/api/oauth/introspect'].post.security).toEqual([{ 'oauth-client': [] }]);
  });

  it('declares the headers the server sends by status on every response', () => {
    const declared = new Set(Object.keys(doc.components.headers ?? {}));
    const bad: string[] = [];
    const expectHeader = (where: string, response: OpenApiResponse, name: string) => {
      const header = response.headers?.[name];
      if (!header) bad.push(`${where} lacks ${name}`);
      else if (header.$ref && !declared.has(header.$ref.replace('#/components/headers/', ''))) {
        bad.push(`${where} ${name}: ${header.$ref} is not in components.headers`);
      }
    };
    let tokenResponses = 0;
    for (const route of routes) {
      for (const [status, response] of Object.entries(operationOf(route)?.responses ?? {})) {
        const where = `${routeKey(route)} ${status}`;
        expectHeader(where, response, 'X-Request-Id');
        if (status === '401') expectHeader(where, response, 'WWW-Authenticate');
        if (status === '429' || status === '503') expectHeader(where, response, 'Retry-After');
        const schema = response.content?.['application/json']?.schema;
        const pairRef = '#/components/schemas/TokenPairDto';
        const isPair =
          schema?.$ref === pairRef ||
          ((schema?.oneOf ?? []) as { $ref?: string }[]).some((s) => s.$ref === pairRef);
        if (/^2/.test(status) && isPair) {
          tokenResponses++;
          for (const name of ['Set-Cookie', 'Cache-Control', 'Pragma']) {
            expectHeader(where, response, name);
          }
        }
      }
    }
    for (const key of ['POST /api/auth/logout', 'POST /api/auth/logout-all']) {
      const route = routes.find((r) => routeKey(r) === key)!;
      for (const [status, response] of Object.entries(operationOf(route)?.responses ?? {})) {
        expectHeader(`${key} ${status}`, response, 'Set-Cookie');
      }
    }
    // register, login, refresh, change-password, mfa/verify.
    expect(tokenResponses).toBe(5);
    expect(bad).toEqual([]);
  });

  it('is what docs/openapi.json holds, but for servers (else: npm run openapi)', () => {
    const committed: unknown = JSON.parse(readFileSync('docs/openapi.json', 'utf8'));
    expect(staleness(doc, committed)).toEqual([]);
  });
});
