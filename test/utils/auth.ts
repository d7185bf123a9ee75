import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import TestAgent from 'supertest/lib/agent';
import { TEST_ACCESS_SECRET, TEST_REFRESH_SECRET } from './test-env';

export interface TokenPairBody {
  tokenType: string;
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
  user: {
    id: string;
    email: string;
    name: string | null;
    roles: string[];
    emailVerified: boolean;
    createdAt: string;
  };
}

export const DEFAULT_PASSWORD = 'correct horse battery';

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}@example.com`;
}

/** Registers a new user and returns the token pair plus the credentials used. */
export async function registerUser(
  http: () => TestAgent,
  overrides: { email?: string; password?: string; name?: string } = {},
) {
  const email = overrides.email ?? uniqueEmail();
  const password = overrides.password ?? DEFAULT_PASSWORD;
  const res = await http()
    .post('/api/auth/register')
    .send({ email, password, ...(overrides.name !== undefined && { name: overrides.name }) })
    .expect(201);
  return { email, password, pair: res.body as TokenPairBody };
}

export async function login(http: () => TestAgent, email: string, password: string) {
  const res = await http().post('/api/auth/login').send({ email, password }).expect(200);
  return res.body as TokenPairBody;
}

/** Logs in as the admin that BASE_TEST_ENV seeds. */
export function loginAdmin(http: () => TestAgent) {
  return login(http, 'admin@example.com', 'admin-password-123');
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Signs a token with the test secrets, to forge expired / wrong-claim tokens. */
export function signTestToken(
  payload: Record<string, unknown>,
  options: jwt.SignOptions & { key?: string } = {},
): string {
  // key: 'access', 'refresh', or any other string used as the secret itself.
  const { key = 'access', ...rest } = options;
  const secret =
    key === 'access' ? TEST_ACCESS_SECRET : key === 'refresh' ? TEST_REFRESH_SECRET : key;
  return jwt.sign(payload, secret, {
    algorithm: 'HS256',
    header: { alg: 'HS256', typ: 'at+jwt' },
    issuer: 'nest-auth-service',
    audience: 'nest-auth-service',
    expiresIn: 900,
    ...rest,
  });
}

/** Decodes a JWT payload without verifying it. */
export function decodeJwt(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/** Asserts a session is over: its access token answers token_revoked, its refresh token refresh_token_revoked. */
export async function expectSessionEnded(http: () => TestAgent, pair: TokenPairBody) {
  const access = await http().get('/api/users/me').set(bearer(pair.accessToken));
  expect(access.status).toBe(401);
  expect(access.body).toMatchObject({ statusCode: 401, code: 'token_revoked' });
  const refresh = await http().post('/api/auth/refresh').send({ refreshToken: pair.refreshToken });
  expect(refresh.status).toBe(401);
  expect(refresh.body).toMatchObject({ statusCode: 401, code: 'refresh_token_revoked' });
}
