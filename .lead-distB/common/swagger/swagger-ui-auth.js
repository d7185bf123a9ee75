"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.responseInterceptor = exports.requestInterceptor = void 0;
const requestInterceptor = (request) => {
    const sent = request.headers?.Authorization;
    if (request.loadSpec || typeof sent !== 'string' || !sent.startsWith('Bearer '))
        return request;
    const refreshUrl = new URL('/api/auth/refresh', new URL(request.url, window.location.href));
    const authorize = (token) => {
        const ui = window.ui;
        const schemes = ui.specSelectors.specJson().getIn(['components', 'securitySchemes']).toJS();
        for (const [name, schema] of Object.entries(schemes)) {
            if (schema.type !== 'http' || String(schema.scheme).toLowerCase() !== 'bearer')
                continue;
            ui.authActions.authorizeWithPersistOption({ [name]: { name, schema, value: token } });
        }
    };
    const refresh = async () => {
        try {
            const response = await fetch(refreshUrl, {
                method: 'POST',
                credentials: 'same-origin',
                headers: { 'Content-Type': 'application/json' },
                body: '{}',
            });
            const token = response.ok ? (await response.json()).accessToken : null;
            if (typeof token !== 'string')
                return null;
            authorize(token);
            return token;
        }
        catch {
            return null;
        }
    };
    request.userFetch = async (url, init) => {
        const response = await fetch(url, init);
        if (response.status !== 401)
            return response;
        const problem = await response
            .clone()
            .json()
            .catch(() => null);
        if (problem?.code !== 'token_expired')
            return response;
        const state = window;
        if (state.swaggerUiRefresh?.expired !== sent) {
            state.swaggerUiRefresh = { expired: sent, token: refresh() };
        }
        const token = await state.swaggerUiRefresh.token;
        if (!token)
            return response;
        return fetch(url, { ...init, headers: { ...init.headers, Authorization: `Bearer ${token}` } });
    };
    return request;
};
exports.requestInterceptor = requestInterceptor;
const responseInterceptor = (response) => {
    const path = new URL(response.url, window.location.href).pathname;
    const issued = /\/auth\/(register|login|refresh|change-password)$/.test(path);
    const ended = /\/auth\/logout(-all)?$/.test(path);
    const token = response.body?.accessToken;
    const ok = response.status >= 200 && response.status < 300;
    if (!ok || !((issued && typeof token === 'string') || (ended && response.status === 204))) {
        return response;
    }
    const ui = window.ui;
    const schemes = ui.specSelectors.specJson().getIn(['components', 'securitySchemes']).toJS();
    for (const [name, schema] of Object.entries(schemes)) {
        if (schema.type !== 'http' || String(schema.scheme).toLowerCase() !== 'bearer')
            continue;
        if (ended)
            ui.authActions.logoutWithPersistOption([name]);
        else
            ui.authActions.authorizeWithPersistOption({ [name]: { name, schema, value: token } });
    }
    return response;
};
exports.responseInterceptor = responseInterceptor;
//# sourceMappingURL=swagger-ui-auth.js.map