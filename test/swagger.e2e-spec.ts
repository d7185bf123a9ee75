import { createTestApp, TestApp } from './utils/create-app';
import { listRoutes, routeKey, RouteInfo, toOpenApiPath } from './utils/routes';

interface OpenApiResponse {
  description?: string;
  $ref?: string;
  content?: Record<string, { schema?: Record<string, unknown> }>;
}

interface OpenApiOperation {
  operationId?: string;
  security?: Record<string, string[]>[];
  requestBody?: { content?: Record<string, { schema?: Record<string, unknown> }> };
  responses?: Record<string, OpenApiResponse>;
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, { properties?: Record<string, unknown> }>;
    securitySchemes: Record<string, { type: string; scheme?: string }>;
  };
}

/** GET /api/health keeps its own body on 503 (the contract's one exception to the error shape). */
const OWN_ERROR_BODY = new Set(['GET /api/health']);

describe('Swagger / OpenAPI document', () => {
  let t: TestApp;
  let doc: OpenApiDocument;
  let routes: RouteInfo[];
  let errorSchemaName: string;

  const operationOf = (route: RouteInfo): OpenApiOperation | undefined =>
    doc.paths[toOpenApiPath(route.path)]?.[route.method.toLowerCase()];

  beforeAll(async () => {
    t = await createTestApp();
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
});
