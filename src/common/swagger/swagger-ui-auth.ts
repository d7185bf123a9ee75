/*
 * Swagger UI's request and response interceptors, which let the page handle the token flow by
 * itself. They run in the browser, not here: @nestjs/swagger writes each function's source
 * (Function.prototype.toString) into /docs/swagger-ui-init.js, a script file the page's CSP
 * allows ('self'), so no inline script is needed. Hence each is an arrow function that uses
 * nothing from this module — only its argument and browser globals (window.ui is the Swagger UI
 * instance) — and both look the bearer scheme up in the document instead of hard-coding it.
 */

/** The request Swagger UI is about to send (swagger-client's shape). */
interface UiRequest {
  url: string;
  headers: Record<string, string>;
  loadSpec?: boolean;
  userFetch?: (url: string, init: RequestInit) => Promise<Response>;
}

/** The response Swagger UI received, its JSON body already parsed. */
interface UiResponse {
  url: string;
  status: number;
  body?: unknown;
}

/**
 * A 401 `token_expired` on a request sent with a Bearer token is followed by one refresh
 * through the HttpOnly refresh cookie (same origin, so `fetch` sends it; the server's origin
 * check allows the page's own origin), the UI is authorized with the new access token, and the
 * request is retried once with it; the UI shows the retried response. Requests that got a 401
 * for the same expired token share one refresh. Any other answer, or a failed refresh (no
 * cookie, session ended), leaves the original response as it was.
 */
export const requestInterceptor = (request: UiRequest): UiRequest => {
  const sent = request.headers?.Authorization;
  if (request.loadSpec || typeof sent !== 'string' || !sent.startsWith('Bearer ')) return request;
  const refreshUrl = new URL('/api/auth/refresh', new URL(request.url, window.location.href));
  const authorize = (token: string) => {
    const ui = (window as any).ui;
    const schemes = ui.specSelectors.specJson().getIn(['components', 'securitySchemes']).toJS();
    for (const [name, schema] of Object.entries<any>(schemes)) {
      if (schema.type !== 'http' || String(schema.scheme).toLowerCase() !== 'bearer') continue;
      ui.authActions.authorizeWithPersistOption({ [name]: { name, schema, value: token } });
    }
  };
  const refresh = async (): Promise<string | null> => {
    try {
      const response = await fetch(refreshUrl, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
      const token = response.ok ? (await response.json()).accessToken : null;
      if (typeof token !== 'string') return null;
      authorize(token);
      return token;
    } catch {
      return null;
    }
  };
  request.userFetch = async (url, init) => {
    const response = await fetch(url, init);
    if (response.status !== 401) return response;
    const problem = await response
      .clone()
      .json()
      .catch(() => null);
    if (problem?.code !== 'token_expired') return response;
    const state = window as any;
    if (state.swaggerUiRefresh?.expired !== sent) {
      state.swaggerUiRefresh = { expired: sent, token: refresh() };
    }
    const token: string | null = await state.swaggerUiRefresh.token;
    if (!token) return response;
    return fetch(url, { ...init, headers: { ...init.headers, Authorization: `Bearer ${token}` } });
  };
  return request;
};

/**
 * A successful register, login, refresh or change-password authorizes the UI with the returned
 * access token (persisted like a token typed into the Authorize dialog); a successful logout or
 * logout-all, whose access token no longer works, removes it.
 */
export const responseInterceptor = (response: UiResponse): UiResponse => {
  const path = new URL(response.url, window.location.href).pathname;
  const issued = /\/auth\/(register|login|refresh|change-password)$/.test(path);
  const ended = /\/auth\/logout(-all)?$/.test(path);
  const token = (response.body as { accessToken?: unknown } | undefined)?.accessToken;
  const ok = response.status >= 200 && response.status < 300;
  if (!ok || !((issued && typeof token === 'string') || (ended && response.status === 204))) {
    return response;
  }
  const ui = (window as any).ui;
  const schemes = ui.specSelectors.specJson().getIn(['components', 'securitySchemes']).toJS();
  for (const [name, schema] of Object.entries<any>(schemes)) {
    if (schema.type !== 'http' || String(schema.scheme).toLowerCase() !== 'bearer') continue;
    if (ended) ui.authActions.logoutWithPersistOption([name]);
    else ui.authActions.authorizeWithPersistOption({ [name]: { name, schema, value: token } });
  }
  return response;
};
