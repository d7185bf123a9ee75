import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { bearer, DEFAULT_PASSWORD, registerUser, uniqueEmail } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';
import { isMysqlUnderTest } from './utils/test-env';

/**
 * Hostile request bodies on register, login and PATCH /users/me: wrong JSON types, privilege
 * fields and prototype keys (never an escalation, never a polluted prototype in this very
 * process, which is the server's), SQL-looking text (stored and returned verbatim), oversized
 * emails, emoji and control characters (verbatim or 400, never 500). errors.e2e-spec.ts holds
 * the first __proto__ and constructor.prototype cases on register; this file extends them.
 */

const WRONG_TYPES: [string, unknown][] = [
  ['a number', 42],
  ['zero', 0],
  ['a float', 1.5],
  ['an empty array', []],
  ['an array of strings', ['ann@example.com', DEFAULT_PASSWORD]],
  ['an empty object', {}],
  ['an operator object', { $gt: '' }],
  ['null', null],
  ['true', true],
  ['false', false],
];

/** Keys that would grant a role if anything copied the body onto a user or a prototype. */
const PRIVILEGE_KEYS = ['__proto__', 'constructor', 'prototype', 'role', 'roles', 'isAdmin'];

function expectValidationFailed(res: Response, field?: string) {
  expect({ status: res.status, body: res.body }).toMatchObject({
    status: 400,
    body: { statusCode: 400, error: 'Bad Request', code: 'validation_failed' },
  });
  expect(Array.isArray(res.body.message)).toBe(true);
  if (field) {
    expect(res.body.message).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`^${field}\\b`))]),
    );
  }
}

/** Nothing reached Object.prototype of this process, which is also the server's. */
function expectPrototypeClean() {
  const probe: Record<string, unknown> = {};
  for (const key of ['roles', 'role', 'isAdmin', 'admin', 'polluted']) {
    expect({ key, value: probe[key] }).toEqual({ key, value: undefined });
  }
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
}
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

describe('hostile bodies (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const sendRaw = (method: 'post' | 'patch', path: string, json: string, token?: string) => {
    const req = t.http()[method](path).set('Content-Type', 'application/json');
    return (token ? req.set(bearer(token)) : req).send(json);
  };

  /** The account behind this email, if any, is a plain user: in the database and on /me. */
  async function expectNoEscalation(email: string, res?: Response) {
    const rows: { roles: string }[] = await t.dataSource.query(
      'SELECT roles FROM users WHERE email = ?',
      [email.toLowerCase()],
    );
    for (const row of rows) expect(row.roles).toBe('user');
    if (res && res.status < 300 && res.body.accessToken) {
      const me = await t.http().get('/api/users/me').set(bearer(res.body.accessToken)).expect(200);
      expect(me.body.roles).toEqual(['user']);
    }
    expectPrototypeClean();
  }

  describe('wrong JSON types are 400 validation_failed naming the field', () => {
    const loginCases = ['email', 'password'].flatMap((field) =>
      WRONG_TYPES.map(([label, value]) => [field, label, value] as const),
    );
    it.each(loginCases)('login with %s as %s', async (field, _label, value) => {
      const res = await t
        .http()
        .post('/api/auth/login')
        .send({ email: 'admin@example.com', password: 'admin-password-123', [field]: value });
      expectValidationFailed(res, field);
    });

    const registerCases = ['email', 'password', 'name'].flatMap((field) =>
      WRONG_TYPES.filter(([label]) => !(field === 'name' && label === 'null')).map(
        ([label, value]) => [field, label, value] as const,
      ),
    );
    it.each(registerCases)('register with %s as %s', async (field, _label, value) => {
      const email = uniqueEmail('types');
      const res = await t
        .http()
        .post('/api/auth/register')
        .send({ email, password: DEFAULT_PASSWORD, name: 'Ann', [field]: value });
      expectValidationFailed(res, field);
      await expectNoEscalation(email);
    });

    it('register with name null is the optional name left out (201, name null)', async () => {
      const res = await t
        .http()
        .post('/api/auth/register')
        .send({ email: uniqueEmail('nullname'), password: DEFAULT_PASSWORD, name: null });
      expect(res.status).toBe(201);
      expect(res.body.user).toMatchObject({ name: null, roles: ['user'] });
    });

    it.each(WRONG_TYPES)('PATCH /users/me with name as %s', async (_label, value) => {
      const { pair } = await registerUser(t.http, { name: 'Before' });
      const res = await t
        .http()
        .patch('/api/users/me')
        .set(bearer(pair.accessToken))
        .send({ name: value });
      expectValidationFailed(res, 'name');
      const me = await t.http().get('/api/users/me').set(bearer(pair.accessToken)).expect(200);
      expect(me.body).toMatchObject({ name: 'Before', roles: ['user'] });
    });
  });

  describe('privilege and prototype keys never escalate', () => {
    const admin = '{"roles":["admin"],"isAdmin":true,"role":"admin"}';
    /** JSON fragments spliced into an otherwise valid body, as raw text (so __proto__ is a key). */
    const fragments: [string, string][] = [
      ...PRIVILEGE_KEYS.map((key): [string, string] => [`top-level ${key}`, `"${key}":${admin}`]),
      ['role as a string', '"role":"admin"'],
      ['roles as an array', '"roles":["admin"]'],
      ['isAdmin true', '"isAdmin":true'],
      ['constructor.prototype', `"constructor":{"prototype":${admin}}`],
      ['__proto__ with unicode escapes', `"\\u005f\\u005fproto\\u005f\\u005f":${admin}`],
      ['__proto__ nested in an unknown object', `"profile":{"__proto__":${admin}}`],
      ['constructor.prototype nested deep', `"a":{"b":[{"constructor":{"prototype":${admin}}}]}`],
      ['roles nested in an unknown object', `"profile":${admin}`],
    ];
    const nameFragments: [string, string][] = [
      ['name as an object with roles', `"name":${admin}`],
      ['name as an object with __proto__', `"name":{"__proto__":${admin}}`],
      [
        'name as an object with constructor.prototype',
        `"name":{"constructor":{"prototype":${admin}}}`,
      ],
    ];

    it.each([...fragments, ...nameFragments])('register with %s', async (_label, fragment) => {
      const email = uniqueEmail('escalate');
      const body = fragment.startsWith('"name"')
        ? `{"email":"${email}","password":"${DEFAULT_PASSWORD}",${fragment}}`
        : `{"email":"${email}","password":"${DEFAULT_PASSWORD}","name":"Eve",${fragment}}`;
      const res = await sendRaw('post', '/api/auth/register', body);
      expectValidationFailed(res);
      await expectNoEscalation(email, res);
    });

    it.each(fragments)('login with %s', async (_label, fragment) => {
      const { email } = await registerUser(t.http);
      const res = await sendRaw(
        'post',
        '/api/auth/login',
        `{"email":"${email}","password":"${DEFAULT_PASSWORD}",${fragment}}`,
      );
      expectValidationFailed(res);
      await expectNoEscalation(email, res);
    });

    it.each([...fragments, ...nameFragments])(
      'PATCH /users/me with %s',
      async (_label, fragment) => {
        const { email, pair } = await registerUser(t.http, { name: 'Before' });
        const body = fragment.startsWith('"name"')
          ? `{${fragment}}`
          : `{"name":"After",${fragment}}`;
        const res = await sendRaw('patch', '/api/users/me', body, pair.accessToken);
        expectValidationFailed(res);
        const me = await t.http().get('/api/users/me').set(bearer(pair.accessToken)).expect(200);
        expect(me.body).toMatchObject({ name: 'Before', roles: ['user'] });
        await expectNoEscalation(email);
      },
    );

    it('a plain user’s token still cannot reach an admin route after all of the above', async () => {
      const { pair } = await registerUser(t.http);
      const res = await t.http().get('/api/admin/users').set(bearer(pair.accessToken));
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ statusCode: 403, code: 'forbidden' });
      expectPrototypeClean();
    });
  });

  describe('deeply nested bodies', () => {
    /**
     * The validation pipeline walks a body recursively: a few thousand levels (18 kB of JSON,
     * well inside the 100 KiB limit) overflowed the stack, a 500. Bodies nested deeper than 32
     * are refused; every DTO here is at most 2 deep.
     */
    const nested = (depth: number, key = 'name') =>
      `{"${key}":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
    const routes: [string, 'post' | 'patch', string][] = [
      ['register', 'post', '/api/auth/register'],
      ['login', 'post', '/api/auth/login'],
      ['refresh', 'post', '/api/auth/refresh'],
      ['logout', 'post', '/api/auth/logout'],
      ['change-password', 'post', '/api/auth/change-password'],
      ['PATCH /users/me', 'patch', '/api/users/me'],
      ['POST /articles', 'post', '/api/articles'],
    ];

    it.each(routes)(
      '%s: 5,000 and 15,000 levels are 400 validation_failed',
      async (_label, method, path) => {
        const { pair } = await registerUser(t.http);
        for (const depth of [5_000, 15_000]) {
          for (const key of ['name', 'unknownField', 'refreshToken']) {
            const res = await sendRaw(method, path, nested(depth, key), pair.accessToken);
            expectValidationFailed(res);
            expect(res.body.message).toEqual(['body must not nest more than 32 levels deep']);
          }
        }
        await t.http().get('/api/users/me').set(bearer(pair.accessToken)).expect(200);
      },
    );

    it('a body nested 30 deep in an unknown field is an ordinary unknown-field 400', async () => {
      const res = await sendRaw('post', '/api/auth/login', nested(30, 'extra'));
      expectValidationFailed(res, 'property extra');
    });
  });

  describe('SQL-looking text is data', () => {
    const SQL = [
      "' OR 1=1 --",
      '"; DROP TABLE users; --',
      "Robert'); DROP TABLE users;--",
      "admin'/*",
      "%' OR '%'='",
      '1; SELECT SLEEP(5)',
      "\\'; DELETE FROM sessions; --",
    ];

    it.each(SQL)('name %j is stored and returned verbatim', async (name) => {
      const { email, password, pair } = await registerUser(t.http, { name });
      expect(pair.user.name).toBe(name);
      const me = await t.http().get('/api/users/me').set(bearer(pair.accessToken)).expect(200);
      expect(me.body.name).toBe(name);
      const rows: { name: string }[] = await t.dataSource.query(
        'SELECT name FROM users WHERE id = ?',
        [pair.user.id],
      );
      expect(rows).toEqual([{ name }]);

      const renamed = `${name} (again)`;
      const patched = await t
        .http()
        .patch('/api/users/me')
        .set(bearer(pair.accessToken))
        .send({ name: renamed })
        .expect(200);
      expect(patched.body.name).toBe(renamed);
      const again = await t.http().post('/api/auth/login').send({ email, password }).expect(200);
      expect(again.body.user).toMatchObject({ name: renamed, roles: ['user'] });
    });

    it('an email with an apostrophe is an ordinary address; SQL in place of an email is a 400', async () => {
      const email = `o'brien-${randomUUID().slice(0, 8)}+1=1@example.com`;
      const { password, pair } = await registerUser(t.http, { email });
      expect(pair.user.email).toBe(email);
      await t.http().post('/api/auth/login').send({ email, password }).expect(200);

      for (const injected of [
        "' OR 1=1 --",
        "admin@example.com' --",
        'admin@example.com" OR "1"="1',
        "admin@example.com' OR '1'='1",
      ]) {
        const res = await t
          .http()
          .post('/api/auth/login')
          .send({ email: injected, password: 'whatever-password' });
        expectValidationFailed(res, 'email');
      }
    });

    it('the tables are all still there', async () => {
      const [{ n }] = await t.dataSource.query('SELECT COUNT(*) AS n FROM users');
      expect(Number(n)).toBeGreaterThan(SQL.length);
      for (const table of ['sessions', 'refresh_tokens', 'articles']) {
        await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`);
      }
    });
  });

  describe('email length', () => {
    const local = 'a'.repeat(64);
    const labels = (lengths: number[]) => lengths.map((n, i) => 'bcdef'[i].repeat(n)).join('.');
    // 64 + 1 + 63 + 1 + 63 + 1 + 57 + 4 = 254, the longest address allowed.
    const longest = `${local}@${labels([63, 63, 57])}.com`;
    // 64 + 1 + 63 + 1 + 63 + 1 + 63 + 1 + 39 + 4 = 300.
    const tooLong = `${local}@${labels([63, 63, 63, 39])}.com`;

    it('checks the lengths the cases below rely on', () => {
      expect(longest).toHaveLength(254);
      expect(tooLong).toHaveLength(300);
    });

    it('a 300-character email is 400 on register and on login', async () => {
      const register = await t
        .http()
        .post('/api/auth/register')
        .send({ email: tooLong, password: DEFAULT_PASSWORD });
      expectValidationFailed(register, 'email');
      const login = await t
        .http()
        .post('/api/auth/login')
        .send({ email: tooLong, password: DEFAULT_PASSWORD });
      expectValidationFailed(login, 'email');
    });

    it('a 255-character email is 400; a 254-character one registers and logs in', async () => {
      const over = await t
        .http()
        .post('/api/auth/register')
        .send({ email: `x${longest}`, password: DEFAULT_PASSWORD });
      expectValidationFailed(over, 'email');

      const suffix = randomUUID().slice(0, 8);
      const email = `${suffix}${longest.slice(suffix.length)}`;
      const { pair } = await registerUser(t.http, { email });
      expect(pair.user.email).toBe(email);
      await t
        .http()
        .post('/api/auth/login')
        .send({ email, password: DEFAULT_PASSWORD })
        .expect(200);
    });
  });

  describe('emoji and control characters in names', () => {
    /** Stored and returned exactly as sent, through register, /me, login and the database. */
    const VERBATIM: [string, string][] = [
      ['a 4-byte emoji', '😀'],
      ['text with an emoji', 'Ann 😀 Smith'],
      ['a ZWJ family', '👨‍👩‍👧‍👦'],
      ['a flag (regional indicators)', '🇺🇦'],
      ['a skin-tone modifier', '👍🏽'],
      ['a heart with a variation selector', '❤️'],
      ['mathematical letters (astral plane)', '𝕬𝖓𝖓'],
      ['a combining accent', 'Rene\u0301e'],
      ['right-to-left override', '\u202Eeve'],
      ['CJK', '山田太郎'],
      ['a NUL character', 'a\u0000b'],
      ['only a NUL character', '\u0000'],
      ['other C0 controls', 'a\u0001\u0007\u001b[31mb'],
      ['a noncharacter', 'a\uFFFEb'],
      ['100 four-byte emoji (the limit: 100 code points)', '😀'.repeat(100)],
      ['50 hearts with variation selectors (100 code points)', '❤️'.repeat(50)],
      ['ZWJ families up to 100 code points', '👨‍👩‍👧‍👦'.repeat(14) + '😀'.repeat(2)],
    ];
    /**
     * 400 naming `name`. "Characters" are code points, as MySQL's VARCHAR(100) counts them
     * (60 hearts passed a check that skips variation selectors, then failed the insert: 500 on
     * MariaDB); unpaired surrogates are not text (a database keeps U+FFFD instead).
     */
    const REFUSED: [string, string][] = [
      ['a lone high surrogate', 'a\uD83Db'],
      ['a lone low surrogate', '\uDE00'],
      ['101 four-byte emoji', '😀'.repeat(101)],
      ['60 hearts with variation selectors (120 code points)', '❤️'.repeat(60)],
      ['100 hearts with variation selectors (200 code points)', '❤️'.repeat(100)],
      ['100 flags (200 code points)', '🇺🇦'.repeat(100)],
      ['101 ASCII characters', 'n'.repeat(101)],
      ['an empty string', ''],
      // Line breaks: a name must never start a new mail header or log line.
      ['CR LF (header injection)', 'Ann\r\nBcc: evil@example.com'],
      ['a lone LF', 'Ann\nSmith'],
      ['a lone CR', 'Ann\rSmith'],
      ['a line separator', 'Ann\u2028Smith'],
    ];

    const nameInDatabase = async (id: string) => {
      const rows: { name: string }[] = await t.dataSource.query(
        'SELECT name FROM users WHERE id = ?',
        [id],
      );
      return rows.map((row) => row.name);
    };

    it.each(VERBATIM)(
      '%s: register, /me, login and the row keep it verbatim',
      async (_label, name) => {
        const { email, password, pair } = await registerUser(t.http, { name });
        expect(pair.user.name).toBe(name);
        const me = await t.http().get('/api/users/me').set(bearer(pair.accessToken)).expect(200);
        expect(me.body.name).toBe(name);
        const relogin = await t
          .http()
          .post('/api/auth/login')
          .send({ email, password })
          .expect(200);
        expect(relogin.body.user.name).toBe(name);
        expect(await nameInDatabase(pair.user.id)).toEqual([name]);
      },
    );

    it.each(VERBATIM)('%s: PATCH /users/me keeps it verbatim', async (_label, name) => {
      const { pair } = await registerUser(t.http, { name: 'Before' });
      const res = await t
        .http()
        .patch('/api/users/me')
        .set(bearer(pair.accessToken))
        .send({ name })
        .expect(200);
      expect(res.body.name).toBe(name);
      const me = await t.http().get('/api/users/me').set(bearer(pair.accessToken)).expect(200);
      expect(me.body.name).toBe(name);
      expect(await nameInDatabase(pair.user.id)).toEqual([name]);
    });

    it.each(REFUSED)(
      '%s: register answers 400 naming name, and creates nobody',
      async (_label, name) => {
        const email = uniqueEmail('refused');
        const res = await t
          .http()
          .post('/api/auth/register')
          .send({ email, password: DEFAULT_PASSWORD, name });
        expectValidationFailed(res, 'name');
        const rows: unknown[] = await t.dataSource.query('SELECT id FROM users WHERE email = ?', [
          email,
        ]);
        expect(rows).toEqual([]);
      },
    );

    it.each(REFUSED)(
      '%s: PATCH /users/me answers 400 naming name, and changes nothing',
      async (_label, name) => {
        const { pair } = await registerUser(t.http, { name: 'Before' });
        const res = await t
          .http()
          .patch('/api/users/me')
          .set(bearer(pair.accessToken))
          .send({ name });
        expectValidationFailed(res, 'name');
        expect(await nameInDatabase(pair.user.id)).toEqual(['Before']);
      },
    );

    it('article titles count characters the same way (VARCHAR(200))', async () => {
      const { pair } = await registerUser(t.http);
      const post = (title: string) =>
        t.http().post('/api/articles').set(bearer(pair.accessToken)).send({ title, body: 'b' });
      expectValidationFailed(await post('❤️'.repeat(101)), 'title');
      expectValidationFailed(await post('a\uD83D'), 'title');
      const limit = '❤️'.repeat(100);
      const created = await post(limit).expect(201);
      expect(created.body.title).toBe(limit);
      const read = await t.http().get(`/api/articles/${created.body.id}`).expect(200);
      expect(read.body.title).toBe(limit);
    });

    if (isMysqlUnderTest()) {
      it('on MySQL/MariaDB the text columns are utf8mb4', async () => {
        const columns: { name: string; charset: string }[] = await t.dataSource.query(
          `SELECT COLUMN_NAME AS name, CHARACTER_SET_NAME AS charset FROM information_schema.COLUMNS
           WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' AND COLUMN_NAME IN ('email', 'name')`,
        );
        expect(columns.map((c) => c.charset)).toEqual(['utf8mb4', 'utf8mb4']);
      });
    }
  });
});
