// The token flow through a client generated from the document, as a team would write it:
// types from `openapi-typescript` (./schema.d.ts, generated beside this file by
// scripts/openapi-check.js), calls through `openapi-fetch`. Type-checked under `strict` before
// it runs, so a document that stops describing these routes, bodies or error shapes fails to
// compile; at run time every answer is checked against the document too: its status must be
// one the operation declares, and each header a client or gateway acts on (Set-Cookie,
// Retry-After, WWW-Authenticate, X-Request-Id, Cache-Control, Pragma) must be declared on it.
// Usage (by scripts/openapi-check.js): node flow.js <base URL> <openapi.json>
import { readFileSync } from 'node:fs';
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

type TokenPair = components['schemas']['TokenPairDto'];
type ErrorBody = components['schemas']['ErrorResponseDto'];

interface DocumentResponse {
  headers?: Record<string, unknown>;
}
interface Document {
  paths: Record<string, Record<string, { responses?: Record<string, DocumentResponse> }>>;
}

const WATCHED_HEADERS = [
  'set-cookie',
  'retry-after',
  'www-authenticate',
  'x-request-id',
  'cache-control',
  'pragma',
];

const [base, documentPath] = process.argv.slice(2);
if (!base || !documentPath) throw new Error('usage: node flow.js <base URL> <openapi.json>');
const document = JSON.parse(readFileSync(documentPath, 'utf8')) as Document;
const problems: string[] = [];
let answers = 0;

/** Every answer: a status the operation declares, and only declared headers of interest. */
const conformance: Middleware = {
  onResponse({ request, response, schemaPath }) {
    answers++;
    const what = `${request.method} ${schemaPath} → ${response.status}`;
    const declared =
      document.paths[schemaPath]?.[request.method.toLowerCase()]?.responses?.[
        String(response.status)
      ];
    if (!declared) {
      problems.push(`${what}: status not in the document`);
      return;
    }
    const names = Object.keys(declared.headers ?? {}).map((name) => name.toLowerCase());
    for (const header of WATCHED_HEADERS) {
      if (response.headers.has(header) && !names.includes(header)) {
        problems.push(`${what}: sends ${header}, which the document does not declare`);
      }
    }
  },
};

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`not ok: ${what}`);
  console.log(`ok   ${what}`);
}

/**
 * Register and login answer a token pair, or (REQUIRE_VERIFIED_EMAIL, an account with TOTP)
 * another body: the document says so with oneOf, and a typed client must tell them apart.
 */
function tokenPair<T extends object>(body: T | TokenPair, what: string): TokenPair {
  if (!('accessToken' in body)) throw new Error(`not ok: ${what} answered no token pair`);
  return body;
}

/** The body of a 2xx answer, or a failure naming the error code. */
function need<T>(result: { data?: T; error?: unknown; response: Response }, what: string): T {
  if (result.data === undefined) {
    const code = (result.error as Partial<ErrorBody> | undefined)?.code;
    throw new Error(`not ok: ${what} answered ${result.response.status} ${code ?? ''}`);
  }
  return result.data;
}

async function main(): Promise<void> {
  const client = createClient<paths>({ baseUrl: base });
  client.use(conformance);
  const email = `openapi-flow-${Date.now()}@example.com`;
  const password = 'correct horse battery';
  const bearer = (pair: TokenPair) => ({ Authorization: `Bearer ${pair.accessToken}` });

  const registered = await client.POST('/api/auth/register', {
    body: { email, password, name: 'Flow' },
  });
  const first = tokenPair(need(registered, 'register'), 'register');
  check(registered.response.status === 201, 'register answers 201 with a token pair');
  check(
    registered.response.headers.getSetCookie().some((c) => c.startsWith('refresh_token=')),
    'register sets the refresh_token cookie',
  );

  const taken = await client.POST('/api/auth/register', { body: { email, password } });
  const takenCode: string | undefined = taken.error?.code;
  check(taken.response.status === 409 && takenCode === 'email_taken', 'a second register: 409');

  const loggedIn = await client.POST('/api/auth/login', { body: { email, password } });
  const pair = tokenPair(need(loggedIn, 'login'), 'login');
  check(pair.accessToken !== first.accessToken, 'login answers a new pair');

  const me = await client.GET('/api/users/me', { headers: bearer(pair) });
  const profile = need(me, 'GET /api/users/me');
  check(profile.email === email && profile.roles.includes('user'), '/users/me is the caller');

  const anonymous = await client.GET('/api/users/me');
  check(
    anonymous.response.status === 401 && anonymous.error?.code === 'token_missing',
    'without a token: 401 token_missing',
  );

  const refreshed = await client.POST('/api/auth/refresh', {
    body: { refreshToken: pair.refreshToken },
  });
  const next = need(refreshed, 'refresh');
  check(next.refreshToken !== pair.refreshToken, 'refresh answers a new refresh token');
  const expiresIn: number = next.expiresIn;
  check(expiresIn > 0, 'with the access token lifetime in seconds');

  const loggedOut = await client.POST('/api/auth/logout', {
    body: { refreshToken: next.refreshToken },
  });
  check(loggedOut.response.status === 204, 'logout answers 204');

  const after = await client.GET('/api/users/me', { headers: bearer(next) });
  check(
    after.response.status === 401 && after.error?.code === 'token_revoked',
    "after logout the session's access token answers 401 token_revoked",
  );
  const spent = await client.POST('/api/auth/refresh', {
    body: { refreshToken: next.refreshToken },
  });
  const spentCode = spent.error?.code ?? '';
  check(
    spent.response.status === 401 && spentCode.startsWith('refresh_token_'),
    `after logout its refresh token answers 401 ${spentCode}`,
  );

  check(answers >= 9, `${answers} answers checked against the document`);
  for (const problem of problems) console.error(`not ok: ${problem}`);
  check(problems.length === 0, 'every status and header of interest is declared');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
