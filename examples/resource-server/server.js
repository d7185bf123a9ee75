// A resource server that accepts the auth service's access tokens with no shared secret.
// The auth service signs them with a private key (JWT_ALG=EdDSA, ES256 or RS256) and publishes
// only the public half at /.well-known/jwks.json. A public key verifies signatures but cannot
// make them, so this process checks every token by itself and holds nothing that could mint one.
// jose fetches the JWKS once, caches it, and refetches it when a token names an unknown `kid`
// (key rotation), so a check costs no round trip to the auth service.
// The limit: a token checked locally stays valid until its `exp`, even after logout. GET /strict
// shows the remedy: it also asks the auth service's introspection endpoint, which answers
// `active: false` the moment the session ends (instant revocation, for one request per call).
import { createServer, STATUS_CODES } from 'node:http';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';

const env = process.env;
function fail(message) {
  process.stderr.write(`resource-server: ${message}\n`);
  process.exit(1);
}
function intEnv(name, fallback, max = Infinity) {
  const value = (env[name] ?? '') === '' ? fallback : Number(env[name]);
  if (!Number.isInteger(value) || value < 0 || value > max) fail(`${name}: bad number`);
  return value;
}

if (!URL.canParse(env.AUTH_URL ?? '')) fail('AUTH_URL must be set, e.g. http://127.0.0.1:3000');
const authUrl = env.AUTH_URL.replace(/\/+$/, '');
const algorithms = (env.AUTH_ALGS ?? '').split(',').map((a) => a.trim());
if (algorithms.some((a) => !['ES256', 'EdDSA', 'RS256'].includes(a))) {
  fail('AUTH_ALGS must be a comma list of ES256, EdDSA, RS256');
}
const { INTROSPECTION_CLIENT_ID: clientId, INTROSPECTION_CLIENT_SECRET: clientSecret } = env;
if (!clientId !== !clientSecret) fail('set both INTROSPECTION_CLIENT_ID and _SECRET, or neither');
const basic = [clientId, clientSecret].map(encodeURIComponent).join(':'); // RFC 6749 2.3.1
const basicAuth = `Basic ${Buffer.from(basic).toString('base64')}`;
const host = env.HOST || '127.0.0.1';
const port = intEnv('PORT', 4000, 65535);

const JWKS = createRemoteJWKSet(new URL(`${authUrl}/.well-known/jwks.json`), {
  cooldownDuration: intEnv('JWKS_COOLDOWN', 30_000), // min gap between refetches on unknown kid
  cacheMaxAge: intEnv('JWKS_CACHE_MAX_AGE', 600_000), // refetch a JWKS older than this
  timeoutDuration: 5000,
});
const verifyOptions = {
  issuer: env.AUTH_ISSUER || 'nest-auth-service',
  audience: env.AUTH_AUDIENCE || 'nest-auth-service',
  algorithms, // pinned: never let the token's own header pick how it is checked
  typ: 'at+jwt', // an access token, not a refresh token
  requiredClaims: ['exp', 'sub', 'sid'],
};

const httpError = (statusCode, code, msg) => Object.assign(new Error(msg), { statusCode, code });
const reason = (err) => [err.message, err.cause?.message].filter(Boolean).join(': ');
const unavailable = (what) => httpError(503, 'service_unavailable', `cannot reach the ${what}`);

function bearerToken(req) {
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(req.headers.authorization ?? '');
  if (!match) throw httpError(401, 'token_missing', 'Authorization: Bearer <token> required');
  return match[1];
}

async function verify(token) {
  try {
    const { payload, protectedHeader } = await jwtVerify(token, JWKS, verifyOptions);
    const { sub, sid, roles = [] } = payload;
    return { sub, sid, roles, kid: protectedHeader.kid, alg: protectedHeader.alg };
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw httpError(401, 'token_expired', 'token expired');
    // No keys to check with (network error, timeout, non-200 or malformed JWKS): not a bad token.
    const noKeys = ['ERR_JOSE_GENERIC', 'ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID'].includes(err.code);
    if (noKeys || !(err instanceof errors.JOSEError)) {
      console.error(`JWKS fetch failed: ${reason(err)}`);
      throw unavailable('auth service JWKS');
    }
    // Bad signature, alg not allowed, unknown kid, wrong typ/iss/aud, missing claim, malformed.
    throw httpError(401, 'token_invalid', 'token invalid');
  }
}

async function introspect(token) {
  let active;
  try {
    const res = await fetch(`${authUrl}/api/oauth/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
      signal: AbortSignal.timeout(5000),
    });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    ({ active } = await res.json());
    if (typeof active !== 'boolean') throw new Error('no boolean "active" in the answer');
  } catch (err) {
    console.error(`introspection failed: ${reason(err)}`);
    throw unavailable('auth service introspection');
  }
  if (!active) throw httpError(401, 'token_revoked', 'session ended, token no longer active');
}

const routes = {
  'GET /health': async () => ({ status: 'ok' }),
  'GET /hello': async (req) => verify(bearerToken(req)),
  'GET /strict': async (req) => {
    if (!clientId) throw httpError(404, 'not_found', 'introspection not configured');
    const token = bearerToken(req);
    const claims = await verify(token);
    await introspect(token);
    return { ...claims, introspected: true };
  },
};

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };
function send(res, statusCode, body, headers = {}) {
  res.writeHead(statusCode, { ...JSON_HEADERS, ...headers }).end(JSON.stringify(body));
}

const server = createServer(async (req, res) => {
  try {
    const route = routes[`${req.method} ${req.url.split('?')[0]}`];
    if (!route) throw httpError(404, 'not_found', 'no such route');
    send(res, 200, await route(req));
  } catch (err) {
    if (!err.statusCode) console.error(err);
    const known = err.statusCode ? err : httpError(500, 'internal_error', 'unexpected error');
    const { statusCode, code, message } = known;
    const realm = 'Bearer realm="resource-server"';
    const challenge = code === 'token_missing' ? realm : `${realm}, error="invalid_token"`;
    const extra = statusCode === 401 ? { 'www-authenticate': challenge } : {};
    send(res, statusCode, { statusCode, error: STATUS_CODES[statusCode], code, message }, extra);
  }
});

server.on('error', (err) => fail(err.message));
server.listen(port, host, () => {
  const h = host.includes(':') ? `[${host}]` : host;
  console.log(`listening on http://${h}:${server.address().port}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)).closeAllConnections());
}
