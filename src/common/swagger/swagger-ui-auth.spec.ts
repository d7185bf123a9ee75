import { createContext, runInContext } from 'node:vm';
import { requestInterceptor, responseInterceptor } from './swagger-ui-auth';

const ORIGIN = 'http://127.0.0.1:3000';
const SCHEMES = {
  bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
  refresh_token: { type: 'apiKey', in: 'cookie', name: 'refresh_token' },
};

/** A stand-in for the page: window.ui (the calls it receives), location, fetch. */
function page(answers: Record<string, (init: RequestInit) => Response>) {
  const authorized: unknown[] = [];
  const loggedOut: unknown[] = [];
  const requests: { url: string; authorization?: string }[] = [];
  const ui = {
    specSelectors: {
      specJson: () => ({ getIn: () => ({ toJS: () => structuredClone(SCHEMES) }) }),
    },
    authActions: {
      authorizeWithPersistOption: (payload: unknown) => authorized.push(payload),
      logoutWithPersistOption: (names: unknown) => loggedOut.push(names),
    },
  };
  const fetch = jest.fn(async (url: string | URL, init: RequestInit = {}) => {
    const path = new URL(url).pathname;
    const headers = (init.headers ?? {}) as Record<string, string>;
    requests.push({ url: `${init.method ?? 'GET'} ${path}`, authorization: headers.Authorization });
    await new Promise((resolve) => setImmediate(resolve));
    return answers[path](init);
  });
  const window = { ui, location: { href: `${ORIGIN}/docs` } };
  return { window, fetch, authorized, loggedOut, requests };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const problem = (code: string) => json(401, { statusCode: 401, error: 'Unauthorized', code });

describe('Swagger UI auth interceptors', () => {
  let current: ReturnType<typeof page>;
  const use = (answers: Record<string, (init: RequestInit) => Response>) => {
    current = page(answers);
    Object.assign(globalThis, { window: current.window, fetch: current.fetch });
    return current;
  };
  const originalFetch = globalThis.fetch;
  afterEach(() => {
    Object.assign(globalThis, { fetch: originalFetch });
    delete (globalThis as { window?: unknown }).window;
  });

  const send = async (authorization?: string) => {
    const request = requestInterceptor({
      url: `${ORIGIN}/api/users/me`,
      headers: authorization ? { Authorization: authorization } : {},
    });
    const run = request.userFetch ?? ((url: string, init: RequestInit) => current.fetch(url, init));
    return run(request.url, { method: 'GET', headers: request.headers });
  };

  it('leaves a request without a Bearer token alone', () => {
    use({});
    const request = { url: `${ORIGIN}/api/articles`, headers: {} };
    expect(requestInterceptor(request).userFetch).toBeUndefined();
  });

  it('after 401 token_expired refreshes once through the cookie, authorizes and retries', async () => {
    const { requests, authorized, fetch } = use({
      '/api/users/me': (init) =>
        (init.headers as Record<string, string>).Authorization === 'Bearer new'
          ? json(200, { email: 'ann@example.com' })
          : problem('token_expired'),
      '/api/auth/refresh': () => json(200, { accessToken: 'new' }),
    });
    const response = await send('Bearer old');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ email: 'ann@example.com' });
    expect(requests).toEqual([
      { url: 'GET /api/users/me', authorization: 'Bearer old' },
      { url: 'POST /api/auth/refresh', authorization: undefined },
      { url: 'GET /api/users/me', authorization: 'Bearer new' },
    ]);
    const refreshInit = fetch.mock.calls[1][1];
    expect(refreshInit).toMatchObject({ credentials: 'same-origin', body: '{}' });
    expect(authorized).toEqual([
      { bearer: { name: 'bearer', schema: SCHEMES.bearer, value: 'new' } },
    ]);
  });

  it('shares one refresh between requests that expired with the same token', async () => {
    const { requests } = use({
      '/api/users/me': (init) =>
        (init.headers as Record<string, string>).Authorization === 'Bearer new'
          ? json(200, {})
          : problem('token_expired'),
      '/api/auth/refresh': () => json(200, { accessToken: 'new' }),
    });
    const answers = await Promise.all([send('Bearer old'), send('Bearer old'), send('Bearer old')]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(requests.filter((r) => r.url === 'POST /api/auth/refresh')).toHaveLength(1);
  });

  it.each(['token_invalid', 'token_revoked', 'token_missing'])(
    'does not refresh after 401 %s',
    async (code) => {
      const { requests } = use({ '/api/users/me': () => problem(code) });
      const response = await send('Bearer old');
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code });
      expect(requests).toHaveLength(1);
    },
  );

  it('returns the original 401 when the refresh fails (no cookie, session ended)', async () => {
    const { requests, authorized } = use({
      '/api/users/me': () => problem('token_expired'),
      '/api/auth/refresh': () => problem('refresh_token_missing'),
    });
    const response = await send('Bearer old');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'token_expired' });
    expect(requests.map((r) => r.url)).toEqual(['GET /api/users/me', 'POST /api/auth/refresh']);
    expect(authorized).toEqual([]);
  });

  it.each([
    ['login', 200],
    ['register', 201],
    ['refresh', 200],
    ['change-password', 200],
  ])('authorizes the UI with the accessToken of a successful %s', (route, status) => {
    const { authorized, loggedOut } = use({});
    const response = { url: `${ORIGIN}/api/auth/${route}`, status, body: { accessToken: 'a.b.c' } };
    expect(responseInterceptor(response)).toBe(response);
    expect(authorized).toEqual([
      { bearer: { name: 'bearer', schema: SCHEMES.bearer, value: 'a.b.c' } },
    ]);
    expect(loggedOut).toEqual([]);
  });

  it.each(['logout', 'logout-all'])('removes the authorization after a successful %s', (route) => {
    const { authorized, loggedOut } = use({});
    responseInterceptor({ url: `${ORIGIN}/api/auth/${route}`, status: 204 });
    expect(loggedOut).toEqual([['bearer']]);
    expect(authorized).toEqual([]);
  });

  it('ignores failed token routes and other routes', () => {
    const { authorized, loggedOut } = use({});
    responseInterceptor({ url: `${ORIGIN}/api/auth/login`, status: 401, body: { code: 'x' } });
    responseInterceptor({ url: `${ORIGIN}/api/auth/logout`, status: 401, body: {} });
    responseInterceptor({ url: `${ORIGIN}/api/users/me`, status: 200, body: { accessToken: 'x' } });
    expect(authorized).toEqual([]);
    expect(loggedOut).toEqual([]);
  });

  it('works from its source alone, as swagger-ui-init.js runs it in the page', () => {
    // @nestjs/swagger serializes the functions with toString(): a reference to anything of this
    // module would be a ReferenceError in the browser. Rebuild them in an empty context.
    const { window, authorized } = page({});
    const context = createContext({ window, URL });
    const rebuilt = runInContext(`(${responseInterceptor.toString()})`, context);
    rebuilt({ url: `${ORIGIN}/api/auth/login`, status: 200, body: { accessToken: 't' } });
    expect(authorized).toHaveLength(1);
    const request = runInContext(
      `(${requestInterceptor.toString()})`,
      context,
    )({
      url: `${ORIGIN}/api/users/me`,
      headers: { Authorization: 'Bearer t' },
    });
    expect(typeof request.userFetch).toBe('function');
  });
});
