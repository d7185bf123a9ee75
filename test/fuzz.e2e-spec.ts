import { randomInt } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { ErrorCode } from '../src/common/errors';
import {
  bearer,
  DEFAULT_PASSWORD,
  decodeJwt,
  loginAdmin,
  registerUser,
  signTestToken,
  TokenPairBody,
  uniqueEmail,
} from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';
import { claims, forgeJwt } from './utils/forge-jwt';
import { FuzzResponse, HttpFuzzRequest, Random, sendHttp, sendRaw } from './utils/fuzz';
import { listenLocal, rawRequest } from './utils/raw-http';
import { fillParams, listRoutes, RouteInfo } from './utils/routes';
import { isMysqlUnderTest, TEST_ACCESS_SECRET } from './utils/test-env';

/**
 * A seeded fuzz run over real HTTP (Node's parser included): random methods, paths from the
 * router with odd ids and trailing junk, random headers and tokens, JSON and non-JSON bodies
 * up to ~120 kB, and some raw malformed requests. No answer may be a 5xx or break the error
 * shape, and the server must still serve a normal login and refresh afterwards.
 *
 * FUZZ_SEED replays a run (the seed is printed); FUZZ_REQUESTS (default 5000) and
 * FUZZ_SECONDS (default and cap 60) bound it. FUZZ_SLOWEST=1 also prints the 15 slowest.
 */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : randomInt(2 ** 31);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 5000);
const SECONDS = Math.min(Number(process.env.FUZZ_SECONDS ?? 60), 60);
const CONCURRENCY = 16;

const ERROR_CODES = new Set<string>(Object.values(ErrorCode));
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
/** Methods Node's parser knows but no route uses, and tokens it does not know at all. */
const ODD_METHODS = ['TRACE', 'PROPFIND', 'SEARCH', 'LOCK', 'MKCOL', 'PURGE', 'REPORT', 'COPY'];
const BOGUS_METHODS = ['FOO', 'GETT', 'BREW', 'X'];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/json;;;',
  'application/vnd.api+json',
  'application/json-patch+json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'text/plain',
  'text/html',
  'application/xml',
  'application/octet-stream',
  '*/*',
  'json',
  '',
  ';',
];
const JUNK_PATHS = [
  '/',
  '/api',
  '/api/',
  '/docs',
  '/docs/',
  '/docs-json',
  '/docs/swagger-ui.css',
  '/docs/../../../etc/passwd',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/api/auth/../admin/users',
  '//api//users//me',
  '/api/users/me%00',
  '/api/articles/%',
  '/api/articles/%zz',
  '/api/articles/%ff%fe',
  '/API/USERS/ME',
  '/api/health/',
  '/api/health?x=1',
  '/favicon.ico',
  '/api/users/me/../../admin/users',
  '/api/articles;jsessionid=1',
  '*',
];
const ID_JUNK = [
  '00000000-0000-0000-0000-000000000000',
  'not-a-uuid',
  "' OR 1=1 --",
  '%00',
  '%2F',
  '..%2F..%2F',
  '%uD800',
  '%F0%9F%98%80',
  '%C0%AF',
  'A'.repeat(3000),
  '-1',
  '1e308',
  'null',
  '__proto__',
  'constructor',
];
const QUERY_JUNK = [
  'page=-1',
  'page=1.5',
  'page=1e400',
  'limit=0',
  'limit=101',
  'limit=abc',
  'page[]=1',
  'page=1&page=2',
  'page[$gt]=1',
  '__proto__[roles]=admin',
  'constructor[prototype][roles]=admin',
  'toString=1',
  'access_token=x',
  '%=%',
  '&&&',
  '=',
  'a'.repeat(5000),
];
const STRINGS = [
  '',
  ' ',
  'a',
  'admin',
  'admin@example.com',
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  '😀',
  '👨‍👩‍👧‍👦',
  '❤️'.repeat(60),
  '\u0000',
  '\uD800',
  '\u202E',
  '%00',
  '${jndi:ldap://127.0.0.1/x}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  'x'.repeat(300),
  DEFAULT_PASSWORD,
];
const FIELDS = [
  'email',
  'password',
  'name',
  'refreshToken',
  'currentPassword',
  'newPassword',
  'title',
  'body',
  'roles',
  'disabled',
  'role',
  'isAdmin',
  'id',
  'toString',
  'hasOwnProperty',
  'prototype',
];

interface Outcome {
  description: string;
  ms?: number;
  status: number | 'no answer' | 'error';
  problem?: string;
}

describe('fuzz (e2e)', () => {
  let t: TestApp;
  let port: number;
  let routes: RouteInfo[];
  let admin: TokenPairBody;
  const users: TokenPairBody[] = [];
  const ids: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    port = await listenLocal(t);
    routes = listRoutes(t.app);
    admin = await loginAdmin(t.http);
    for (let i = 0; i < 4; i++) users.push((await registerUser(t.http)).pair);
    for (const user of users) {
      ids.push(user.user.id, decodeJwt(user.accessToken).sid as string);
      const article = await t
        .http()
        .post('/api/articles')
        .set(bearer(user.accessToken))
        .send({ title: 'fuzz', body: 'fuzz' })
        .expect(201);
      ids.push(article.body.id);
    }
  });
  afterAll(() => t.close());

  /** Everything the generators need, drawn from one seeded stream. */
  function generator(random: Random) {
    const tokenPool = (user: TokenPairBody): string[] => {
      const sub = user.user.id;
      const sid = decodeJwt(user.accessToken).sid as string;
      return [
        user.accessToken,
        admin.accessToken,
        user.refreshToken,
        signTestToken({ sub, sid, roles: ['admin'] }, { expiresIn: -10 }),
        signTestToken({ sub, sid, roles: ['admin'] }, { header: { alg: 'HS256', typ: 'JWT' } }),
        forgeJwt({ alg: 'none', typ: 'at+jwt' }, claims({ sub, sid, roles: ['admin'] }), {
          none: true,
        }),
        forgeJwt({ alg: 'HS512', typ: 'at+jwt' }, claims({ sub, sid }), {
          hmac: 'sha512',
          key: TEST_ACCESS_SECRET,
        }),
        'garbage',
        'a.b.c',
        '....',
        'x'.repeat(8000),
        user.accessToken.slice(0, -1),
      ];
    };
    const pools = users.map(tokenPool);
    const tokens = () => random.pick(pools);

    const id = () =>
      random.chance(0.4)
        ? random.pick(ids)
        : random.chance(0.3)
          ? random.pick(ids).toUpperCase()
          : random.pick(ID_JUNK);

    function path(): string {
      if (random.chance(0.08)) return random.pick(JUNK_PATHS);
      const route = random.pick(routes);
      // node:http refuses spaces and control bytes in a path; the raw requests send those.
      let p = [...fillParams(route.path, id())]
        .map((c) => (c <= ' ' || c === '\x7f' ? encodeURIComponent(c) : c))
        .join('');
      if (random.chance(0.15))
        p += random.pick(['/', '//', '/..', '/.', '%20', '.json', '~', '/x']);
      if (random.chance(0.3)) {
        const n = 1 + random.int(3);
        p += `?${Array.from({ length: n }, () => random.pick(QUERY_JUNK)).join('&')}`;
      }
      return p;
    }

    function method(routeMethod?: string): string {
      const roll = random.next();
      if (routeMethod && roll < 0.5) return routeMethod;
      if (roll < 0.85) return random.pick(METHODS);
      if (roll < 0.97) return random.pick(ODD_METHODS);
      return random.pick(BOGUS_METHODS);
    }

    function jsonValue(depth: number): unknown {
      const roll = random.int(depth > 3 ? 5 : 8);
      switch (roll) {
        case 0:
          return random.pick(STRINGS);
        case 1:
          return random.pick([0, -1, 1.5, 1e308, -0, 2 ** 53 + 1, 42]);
        case 2:
          return random.pick([true, false, null]);
        case 3:
          return random.pick(tokens());
        case 4:
          return random.pick(ids);
        case 5:
        case 6: {
          const object: Record<string, unknown> = {};
          const n = random.int(5);
          for (let i = 0; i < n; i++) object[random.pick(FIELDS)] = jsonValue(depth + 1);
          return object;
        }
        default:
          return Array.from({ length: random.int(4) }, () => jsonValue(depth + 1));
      }
    }

    /** A plausible body for the route (so handlers run), then mutated. */
    function plausible(): Record<string, unknown> {
      const email = random.chance(0.5) ? random.pick(users).user.email : uniqueEmail('fuzz');
      const base = random.pick([
        { email, password: DEFAULT_PASSWORD },
        { email, password: DEFAULT_PASSWORD, name: random.pick(STRINGS) },
        { refreshToken: random.pick(tokens()) },
        { title: random.pick(STRINGS), body: random.pick(STRINGS) },
        { name: random.pick(STRINGS) },
        { roles: random.pick([['user'], ['admin'], ['user', 'admin'], []]), disabled: false },
        { currentPassword: DEFAULT_PASSWORD, newPassword: random.pick(STRINGS) },
      ]) as Record<string, unknown>;
      if (random.chance(0.3)) base[random.pick(FIELDS)] = jsonValue(1);
      return base;
    }

    function body(): { body?: Buffer; contentType?: string; label: string } {
      const roll = random.next();
      if (roll < 0.35) return { label: 'none' };
      const contentType = random.chance(0.8) ? 'application/json' : random.pick(CONTENT_TYPES);
      let text: string;
      let label: string;
      if (roll < 0.6) {
        text = JSON.stringify(plausible());
        label = 'plausible';
      } else if (roll < 0.75) {
        text = JSON.stringify(jsonValue(0)) ?? 'null';
        label = 'random json';
      } else if (roll < 0.82) {
        const json = JSON.stringify(plausible());
        text = random.pick([
          `{"__proto__":{"roles":["admin"]},${json.slice(1)}`,
          `{"constructor":{"prototype":{"isAdmin":true}},${json.slice(1)}`,
          json.slice(0, random.int(json.length)),
          `${json.slice(0, -1)},}`,
          `\uFEFF${json}`,
          `${json}${json}`,
          json.replace(/"/g, "'"),
          '{"a":NaN}',
          '{"a":1e999}',
          '{"email":"a","email":"b"}',
          '/* c */ {}',
          '',
        ]);
        label = 'broken json';
      } else if (roll < 0.87) {
        const depth = 1 + random.int(15000);
        const [open, close] = random.chance(0.5) ? ['{"a":', '}'] : ['[', ']'];
        text = `${open.repeat(depth)}1${close.repeat(depth)}`;
        label = `nested ${depth}`;
      } else if (roll < 0.94) {
        const size = random.int(120 * 1024);
        text = JSON.stringify({ ...plausible(), pad: 'p'.repeat(size) });
        label = `large ${text.length}`;
      } else {
        const bytes = Buffer.alloc(random.int(4096));
        for (let i = 0; i < bytes.length; i++) bytes[i] = random.int(256);
        return { body: bytes, contentType: random.pick(CONTENT_TYPES), label: 'bytes' };
      }
      return { body: Buffer.from(text, 'utf8'), contentType, label };
    }

    function headers(): Record<string, string> {
      const h: Record<string, string> = {};
      const roll = random.next();
      if (roll < 0.6) h.Authorization = `Bearer ${random.pick(tokens())}`;
      else if (roll < 0.7) {
        h.Authorization = random.pick([
          'Bearer',
          'Bearer ',
          `bearer ${random.pick(tokens())}`,
          `Bearer  ${random.pick(tokens())}`,
          `Bearer ${random.pick(tokens())} ${random.pick(tokens())}`,
          'Basic YWRtaW46YWRtaW4=',
          `Token ${random.pick(tokens())}`,
          'Bearer \u00ff\u00fe',
          `Bearer ${'a'.repeat(12_000)}`,
        ]);
      }
      if (random.chance(0.25)) {
        h.Cookie = random.pick([
          `refresh_token=${random.pick(tokens())}`,
          `refresh_token=${random.pick(tokens())}; refresh_token=${random.pick(tokens())}`,
          'refresh_token=',
          'refresh_token',
          '=; ;=;',
          `access_token=${random.pick(tokens())}`,
          `refresh_token="${random.pick(tokens())}"`,
          `refresh_token=${'%'.repeat(100)}`,
        ]);
      }
      if (random.chance(0.15)) {
        h.Origin = random.pick(['https://evil.example.com', 'null', 'http://localhost', '*']);
      }
      if (random.chance(0.1))
        h['X-Forwarded-For'] = random.pick(['1.2.3.4', 'junk', '::1, 10.0.0.1']);
      if (random.chance(0.1)) h.Accept = random.pick(['*/*', 'text/html', 'application/xml', '']);
      if (random.chance(0.05))
        h['Accept-Encoding'] = random.pick(['gzip', 'br', 'identity;q=0', '*']);
      if (random.chance(0.05)) h['Content-Encoding'] = random.pick(['gzip', 'deflate', 'br', 'x']);
      if (random.chance(0.05)) h['X-HTTP-Method-Override'] = random.pick(['DELETE', 'PATCH']);
      if (random.chance(0.03)) h.Expect = '100-continue';
      if (random.chance(0.03)) h.Range = 'bytes=0-1';
      if (random.chance(0.03)) h.Host = random.pick(['evil.example.com', '', '127.0.0.1:1']);
      if (random.chance(0.05)) h.Connection = 'close';
      if (random.chance(0.03))
        h['X-Padding'] = 'p'.repeat(random.pick([1024, 8 * 1024, 20 * 1024]));
      return h;
    }

    /** Malformed HTTP that node:http would refuse to send. */
    function raw(): { bytes: Buffer; label: string } {
      const p = path().replace(/ /g, '%20');
      const json = JSON.stringify(plausible());
      const cases: [string, string][] = [
        ['space in path', `GET /api/articles /x HTTP/1.1\r\nHost: x\r\n\r\n`],
        ['bogus method', `${random.pick(BOGUS_METHODS)} ${p} HTTP/1.1\r\nHost: x\r\n\r\n`],
        ['lower-case method', `get ${p} HTTP/1.1\r\nHost: x\r\n\r\n`],
        ['HTTP/2.0 request line', `GET ${p} HTTP/2.0\r\nHost: x\r\n\r\n`],
        ['HTTP/1.0 without Host', `GET ${p} HTTP/1.0\r\n\r\n`],
        ['no Host', `GET ${p} HTTP/1.1\r\n\r\n`],
        ['header without colon', `GET ${p} HTTP/1.1\r\nHost: x\r\nBroken header\r\n\r\n`],
        ['control byte in header', `GET ${p} HTTP/1.1\r\nHost: x\r\nX-A: a\u0001b\r\n\r\n`],
        ['obs-fold', `GET ${p} HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n`],
        ['bare LF', `GET ${p} HTTP/1.1\nHost: x\n\n`],
        [
          'two Content-Lengths',
          `POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${json.length}\r\nContent-Length: 3\r\n\r\n${json}`,
        ],
        [
          'Content-Length and chunked',
          `POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n${json.length.toString(16)}\r\n${json}\r\n0\r\n\r\n`,
        ],
        [
          'bad chunk size',
          `POST /api/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${json}\r\n0\r\n\r\n`,
        ],
        [
          'negative Content-Length',
          `POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n`,
        ],
        ['non-ASCII path bytes', `GET /api/articles/\u00ff\u00fe HTTP/1.1\r\nHost: x\r\n\r\n`],
        ['NUL in path', `GET /api/articles/\u0000 HTTP/1.1\r\nHost: x\r\n\r\n`],
        [
          'absolute-form target',
          `GET http://evil.example.com/api/users/me HTTP/1.1\r\nHost: x\r\n\r\n`,
        ],
        [
          'pipelined requests',
          `GET /api/health HTTP/1.1\r\nHost: x\r\n\r\nGET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`,
        ],
        [
          'Upgrade: websocket',
          `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
        ],
      ];
      const [label, text] = random.pick(cases);
      const withClose = text.replace('\r\nHost: x\r\n', '\r\nHost: x\r\nConnection: close\r\n');
      return { bytes: Buffer.from(withClose, 'latin1'), label: `raw ${label}` };
    }

    return { path, method, body, headers, raw, routeMethod: () => random.pick(routes).method };
  }

  /** Why this answer breaks the contract, or undefined when it is fine. */
  function problemWith(method: string, path: string, res: FuzzResponse): string | undefined {
    if (res.status >= 500) return `5xx`;
    if (res.status === 204 && res.body.length > 0) return '204 with a body';
    if (method === 'HEAD' || res.status < 400) return undefined;
    if (path.split('?')[0].replace(/\/+$/, '') === '/api/health' && res.status === 503) {
      return undefined;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(res.body.toString('utf8'));
    } catch {
      return `non-JSON error body: ${res.body.toString('utf8').slice(0, 80)}`;
    }
    const keys = Object.keys(body ?? {})
      .sort()
      .join(',');
    // The contract's four fields, plus the request's id whenever the app saw a request (an
    // error Node's parser answers before one exists, like a 431, has none).
    const requestId = res.headers['x-request-id'];
    const expectedKeys = requestId
      ? 'code,error,message,requestId,statusCode'
      : 'code,error,message,statusCode';
    if (keys !== expectedKeys) return `error keys ${keys}`;
    if (requestId && body.requestId !== requestId) return `requestId ${String(body.requestId)}`;
    if (body.statusCode !== res.status) return `statusCode ${String(body.statusCode)}`;
    if (typeof body.error !== 'string') return 'error is not a string';
    if (!ERROR_CODES.has(body.code as string)) return `unknown code ${String(body.code)}`;
    const message = body.message;
    const okMessage =
      typeof message === 'string' ||
      (Array.isArray(message) && message.every((m) => typeof m === 'string'));
    if (!okMessage) return 'message is not a string or string[]';
    if (!String(res.headers['content-type'] ?? '').startsWith('application/json')) {
      return `error content-type ${String(res.headers['content-type'])}`;
    }
    return undefined;
  }

  it(`answers ${REQUESTS} random requests without a 5xx or a broken error shape`, async () => {
    console.log(`fuzz: FUZZ_SEED=${SEED} FUZZ_REQUESTS=${REQUESTS} FUZZ_SECONDS=${SECONDS}`);
    const random = new Random(SEED);
    const gen = generator(random);
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const outcomes: Outcome[] = [];
    const histogram: Record<string, number> = {};
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

    const generating = Date.now();
    // Requests are generated up front, in order, so a seed always makes the same set.
    const plan = Array.from({ length: REQUESTS }, () => {
      if (random.chance(0.06)) {
        const { bytes, label } = gen.raw();
        return { kind: 'raw' as const, bytes, label };
      }
      const m = gen.method(gen.routeMethod());
      const p = gen.path();
      const { body, contentType, label } = gen.body();
      const headers = gen.headers();
      if (body && (contentType !== undefined || random.chance(0.5))) {
        headers['Content-Type'] = contentType ?? 'application/json';
      }
      const req: HttpFuzzRequest = {
        method: m,
        path: p,
        headers,
        body,
        chunked: random.chance(0.1),
      };
      return { kind: 'http' as const, req, label };
    });

    const started = Date.now();
    const deadline = started + SECONDS * 1000;
    console.log(`fuzz: ${plan.length} requests generated in ${started - generating} ms`);
    let next = 0;
    async function worker() {
      while (next < plan.length && Date.now() < deadline) {
        const item = plan[next++];
        const t0 = Date.now();
        let outcome: Outcome;
        if (item.kind === 'raw') {
          const description = `${item.label}: ${JSON.stringify(item.bytes.toString('latin1').slice(0, 120))}`;
          try {
            const res = await sendRaw(port, item.bytes);
            outcome = res
              ? { description, status: res.status, problem: problemWith('GET', '/', res) }
              : { description, status: 'no answer', problem: 'closed without an answer' };
          } catch (error) {
            outcome = { description, status: 'error', problem: String(error) };
          }
        } else {
          const { req } = item;
          const size = req.body?.length ?? 0;
          const description = `${req.method} ${req.path.slice(0, 100)} [${item.label}, ${size} B, ${JSON.stringify(req.headers).slice(0, 200)}]`;
          try {
            const res = await sendHttp(port, agent, req);
            outcome = {
              description,
              status: res.status,
              problem: problemWith(req.method, req.path, res),
            };
          } catch (error) {
            // The server may end a connection whose request it refused before reading it all
            // (a bogus method, oversized headers, a body over the limit): only those may see
            // a reset instead of the answer.
            const mayReset =
              BOGUS_METHODS.includes(req.method) ||
              (req.headers['X-Padding']?.length ?? 0) > 16 * 1024 ||
              size > 100 * 1024;
            outcome = {
              description,
              status: 'error',
              problem: mayReset ? undefined : `transport: ${String(error)}`,
            };
          }
        }
        outcome.ms = Date.now() - t0;
        histogram[outcome.status] = (histogram[outcome.status] ?? 0) + 1;
        outcomes.push(outcome);
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
    agent.destroy();
    const seconds = (Date.now() - started) / 1000;

    if (process.env.FUZZ_SLOWEST) {
      const slow = [...outcomes].sort((a, b) => (b.ms ?? 0) - (a.ms ?? 0)).slice(0, 15);
      console.log(
        slow.map((o) => `${o.ms} ms ${o.status} ${o.description.slice(0, 150)}`).join('\n'),
      );
    }
    // 5xx first: they are the worst, and the list below shows only the first 20.
    const problems = outcomes
      .filter((o) => o.problem)
      .sort((a, b) => Number(b.problem === '5xx') - Number(a.problem === '5xx'));
    const serverErrors = outcomes.filter((o) => typeof o.status === 'number' && o.status >= 500);
    const report = {
      at: new Date().toISOString(),
      database: isMysqlUnderTest() ? 'mysql' : 'sqlite',
      seed: SEED,
      requests: outcomes.length,
      seconds,
      histogram,
      serverErrors: serverErrors.length,
      problems: problems.length,
    };
    console.log(`fuzz: ${JSON.stringify(report)}`);
    const dir = join(__dirname, '..', 'test-output');
    mkdirSync(dir, { recursive: true });
    appendFileSync(join(dir, 'fuzz-report.jsonl'), `${JSON.stringify(report)}\n`);

    expect(problems.slice(0, 20).map((o) => `${o.status} ${o.problem}: ${o.description}`)).toEqual(
      [],
    );
    expect(serverErrors).toHaveLength(0);
    expect(outcomes.length).toBe(REQUESTS);
    // The run reached validation, handlers and the guard, not only the router.
    if (REQUESTS >= 1000) {
      for (const status of ['200', '400', '401', '404']) {
        const enough = (histogram[status] ?? 0) > REQUESTS / 200;
        expect({ status, enough }).toEqual({ status, enough: true });
      }
    }
    // Nothing reached Object.prototype in this process, which is also the server's.
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect(({} as Record<string, unknown>).roles).toBeUndefined();
  }, 90_000);

  describe('requests earlier fuzz runs found answered outside the contract', () => {
    const get = (target: string, extra = '', version = '1.1') =>
      sendRaw(
        port,
        Buffer.from(`GET ${target} HTTP/${version}\r\n${extra}Connection: close\r\n\r\n`, 'latin1'),
      );
    const expectShaped = (res: FuzzResponse | null, status: number, code: string) => {
      expect(res).not.toBeNull();
      expect({ status: res!.status, body: JSON.parse(res!.body.toString('utf8')) }).toEqual({
        status,
        body: {
          statusCode: status,
          error: expect.any(String),
          code,
          message: expect.anything(),
          requestId: res!.headers['x-request-id'],
        },
      });
    };

    it.each(['%zz', '%', '%C0%AF', '%uD800', '%ff%fe'])(
      'a malformed percent-encoding in a path parameter (%s) is 400 validation_failed, not Fastify\u2019s FST_ERR_BAD_URL',
      async (id) => {
        expectShaped(await get(`/api/articles/${id}`, 'Host: x\r\n'), 400, 'validation_failed');
      },
    );

    it('a path parameter over 100 characters is 400 validation_failed, not a 414 FST_ERR_MAX_PARAM_LENGTH', async () => {
      const res = await get(`/api/articles/${'A'.repeat(3000)}`, 'Host: x\r\n');
      expectShaped(res, 400, 'validation_failed');
    });

    it('HEAD with oversized headers is a 431 without a body (a body broke the client\u2019s parser)', async () => {
      const res = await rawRequest(port, 'HEAD', '/api/articles', {
        'X-Padding': 'p'.repeat(20_000),
      });
      expect(res.status).toBe(431);
      expect(res.body).toBe('');
      const get = await rawRequest(port, 'GET', '/api/articles', {
        'X-Padding': 'p'.repeat(20_000),
      });
      expect(JSON.parse(get.body)).toMatchObject({ statusCode: 431, code: 'headers_too_large' });
    });

    it('an HTTP/1.1 request without Host is a 400 in the error shape (Node sent an empty 400)', async () => {
      expectShaped(await get('/api/articles'), 400, 'validation_failed');
      // HTTP/1.0 has no Host requirement.
      expect((await get('/api/articles', '', '1.0'))?.status).toBe(200);
    });
  });

  it('is still healthy afterwards: health, register, login, refresh, /me', async () => {
    await t.http().get('/api/health').expect(200, { status: 'ok', db: 'up' });
    const { email, password } = await registerUser(t.http);
    const login = await t.http().post('/api/auth/login').send({ email, password }).expect(200);
    const refreshed = await t
      .http()
      .post('/api/auth/refresh')
      .send({ refreshToken: login.body.refreshToken })
      .expect(200);
    const me = await t
      .http()
      .get('/api/users/me')
      .set(bearer(refreshed.body.accessToken))
      .expect(200);
    expect(me.body).toMatchObject({ email, roles: ['user'] });
  });
});
