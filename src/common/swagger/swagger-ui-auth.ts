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
  body?: unknown;
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
 *
 * A POST …/auth/mfa/verify whose JSON body still has a placeholder mfaToken (see
 * responseInterceptor) is sent with the mfa token of the last login instead.
 */
export const requestInterceptor = (request: UiRequest): UiRequest => {
  // Login's second step: a verify body still without the captured mfa token gets it.
  const mfa = (window as any).swaggerUiMfa;
  const target = new URL(request.url, window.location.href).pathname;
  if (mfa && !request.loadSpec && /\/auth\/mfa\/verify$/.test(target)) {
    const filled = typeof request.body === 'string' ? mfa.fill(request.body) : null;
    if (filled !== null) request.body = filled;
  }
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
 * A successful register, login, refresh, change-password or mfa/verify authorizes the UI with
 * the returned access token (persisted like a token typed into the Authorize dialog); a
 * successful logout or logout-all, whose access token no longer works, removes it.
 *
 * A login answered `{mfaRequired: true, mfaToken}` (a user with a second factor) authorizes
 * nothing: the mfa token is kept in the page (window.swaggerUiMfa, never persisted) and put
 * into the request body of POST …/auth/mfa/verify, so that "Try it out" there only needs the
 * code. It replaces an mfaToken that is missing, empty, the document's example, or one captured
 * earlier — never one the user typed. The request interceptor fills it too, at Execute, for a
 * body that was reset to an example. A verify that succeeds, or answers `mfa_token_invalid`,
 * forgets the token.
 */
export const responseInterceptor = (response: UiResponse): UiResponse => {
  const path = new URL(response.url, window.location.href).pathname;
  const ui = (window as any).ui;
  const state = window as any;
  const body = response.body as
    | { accessToken?: unknown; mfaRequired?: unknown; mfaToken?: unknown; code?: unknown }
    | undefined;
  const ok = response.status >= 200 && response.status < 300;
  if (/\/auth\/mfa\/verify$/.test(path) && (ok || body?.code === 'mfa_token_invalid')) {
    if (state.swaggerUiMfa) state.swaggerUiMfa.token = null;
  }
  if (
    ok &&
    /\/auth\/login$/.test(path) &&
    body?.mfaRequired === true &&
    typeof body.mfaToken === 'string'
  ) {
    const spec = ui.specSelectors.specJson().toJS();
    const verifyPath = Object.keys(spec.paths ?? {}).find((p) => /\/auth\/mfa\/verify$/.test(p));
    const operation = verifyPath ? spec.paths[verifyPath].post : undefined;
    // The document's own mfaToken values (examples, schema example) count as placeholders.
    const placeholders = new Set<unknown>(['', 'string', null, undefined]);
    const walk = (node: any, depth: number): void => {
      if (!node || typeof node !== 'object' || depth > 8) return;
      for (const [key, value] of Object.entries<any>(node)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith('#/')) {
          const target = value
            .slice(2)
            .split('/')
            .reduce((at: any, part) => at?.[part], spec);
          walk(target, depth + 1);
        } else if (key === 'mfaToken' && typeof value === 'string') {
          placeholders.add(value);
        } else if (key === 'mfaToken' && value && typeof value === 'object') {
          placeholders.add(value.example);
          walk(value, depth + 1);
        } else {
          walk(value, depth + 1);
        }
      }
    };
    walk(operation?.requestBody, 0);
    const media = operation?.requestBody?.content?.['application/json'] ?? {};
    const firstExample = Object.values<any>(media.examples ?? {})[0]?.value ?? media.example;
    const previous = state.swaggerUiMfa;
    const mfa = {
      token: body.mfaToken,
      /** Earlier captured tokens (replaced too: they are spent or about to expire). */
      seen: [...(previous?.seen ?? []), previous?.token].filter(Boolean).slice(-10),
      /** The JSON body with the current mfa token in place of a placeholder, or null. */
      fill(text: string): string | null {
        if (!mfa.token) return null;
        let value: any;
        try {
          value = text.trim() ? JSON.parse(text) : { ...(firstExample ?? {}) };
        } catch {
          return null;
        }
        if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
        const current = value.mfaToken;
        if (current === mfa.token) return null;
        if (!placeholders.has(current) && !mfa.seen.includes(current)) return null;
        value.mfaToken = mfa.token;
        if (!('code' in value) && !('recoveryCode' in value)) value.code = '';
        return JSON.stringify(value, null, 2);
      },
    };
    state.swaggerUiMfa = mfa;
    if (verifyPath) {
      const pathMethod = [verifyPath, 'post'];
      const shown = ui.oas3Selectors.requestBodyValue(...pathMethod);
      const filled = mfa.fill(typeof shown === 'string' ? shown : '');
      if (filled !== null) {
        ui.oas3Actions.setRequestBodyValue({ value: filled, pathMethod });
        ui.oas3Actions.setRetainRequestBodyValueFlag({ value: true, pathMethod });
      }
    }
    return response;
  }
  const issued = /\/auth\/(register|login|refresh|change-password|mfa\/verify)$/.test(path);
  const ended = /\/auth\/logout(-all)?$/.test(path);
  const token = body?.accessToken;
  if (!ok || !((issued && typeof token === 'string') || (ended && response.status === 204))) {
    return response;
  }
  const schemes = ui.specSelectors.specJson().getIn(['components', 'securitySchemes']).toJS();
  for (const [name, schema] of Object.entries<any>(schemes)) {
    if (schema.type !== 'http' || String(schema.scheme).toLowerCase() !== 'bearer') continue;
    if (ended) ui.authActions.logoutWithPersistOption([name]);
    else ui.authActions.authorizeWithPersistOption({ [name]: { name, schema, value: token } });
  }
  return response;
};
