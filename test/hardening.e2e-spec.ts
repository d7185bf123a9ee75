import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { bearer, decodeJwt, login, loginAdmin, registerUser, TokenPairBody } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';
import { rawRequest } from './utils/raw-http';

const MINUTE = 60;
const ORIGIN = 'https://app.example.com';

/** A short random suffix so addresses are unique per run (the MariaDB database is reused). */
const rand = () => randomUUID().slice(0, 8);

describe('hardening (audit fixes)', () => {
  describe('CORS', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ CORS_ORIGINS: ORIGIN });
    });
    afterAll(() => t.close());

    it('answers a PATCH preflight from the allowed origin with PATCH and DELETE, and no other origin', async () => {
      const res = await t
        .http()
        .options('/api/users/me')
        .set('Origin', ORIGIN)
        .set('Access-Control-Request-Method', 'PATCH')
        .set('Access-Control-Request-Headers', 'authorization,content-type');
      expect(res.status).toBeGreaterThanOrEqual(200);
      expect(res.status).toBeLessThan(300);
      expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      const methods = String(res.headers['access-control-allow-methods'] ?? '')
        .split(',')
        .map((method) => method.trim().toUpperCase());
      expect(methods).toEqual(expect.arrayContaining(['PATCH', 'DELETE']));
      const allowedHeaders = String(res.headers['access-control-allow-headers'] ?? '')
        .split(',')
        .map((header) => header.trim().toLowerCase());
      expect(allowedHeaders).toEqual(expect.arrayContaining(['authorization', 'content-type']));

      const evil = await t
        .http()
        .options('/api/users/me')
        .set('Origin', 'https://evil.example.com')
        .set('Access-Control-Request-Method', 'PATCH')
        .set('Access-Control-Request-Headers', 'authorization,content-type');
      expect(evil.headers['access-control-allow-origin']).toBeUndefined();
      const simple = await t
        .http()
        .get('/api/articles')
        .set('Origin', 'https://evil.example.com')
        .expect(200);
      expect(simple.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('validation edges', () => {
    let t: TestApp;
    let author: TokenPairBody;
    let admin: TokenPairBody;
    let articleId: string;
    beforeAll(async () => {
      t = await createTestApp();
      author = (await registerUser(t.http)).pair;
      admin = await loginAdmin(t.http);
      const created = await t
        .http()
        .post('/api/articles')
        .set(bearer(author.accessToken))
        .send({ title: 'Hardening', body: 'Original body.' })
        .expect(201);
      articleId = created.body.id;
    });
    afterAll(() => t.close());

    describe('an explicit null on an optional field is a 400, not a 500', () => {
      it.each([['title'], ['body']])('PATCH /api/articles/:id with {"%s": null}', async (field) => {
        const res = await t
          .http()
          .patch(`/api/articles/${articleId}`)
          .set(bearer(author.accessToken))
          .send({ [field]: null });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ statusCode: 400, code: 'validation_failed' });
        expect(res.body.message).toEqual(
          expect.arrayContaining([expect.stringMatching(new RegExp(`^${field}\\b`))]),
        );

        const unchanged = await t.http().get(`/api/articles/${articleId}`).expect(200);
        expect(unchanged.body).toMatchObject({ title: 'Hardening', body: 'Original body.' });
      });

      it.each([['roles'], ['disabled']])(
        'PATCH /api/admin/users/:id with {"%s": null}',
        async (field) => {
          const target = await registerUser(t.http);
          const res = await t
            .http()
            .patch(`/api/admin/users/${target.pair.user.id}`)
            .set(bearer(admin.accessToken))
            .send({ [field]: null });
          expect(res.status).toBe(400);
          expect(res.body).toMatchObject({ statusCode: 400, code: 'validation_failed' });
          expect(res.body.message).toEqual(
            expect.arrayContaining([expect.stringMatching(new RegExp(`^${field}\\b`))]),
          );

          // Nothing changed: the user can still use the API as a plain user.
          const me = await t
            .http()
            .get('/api/users/me')
            .set(bearer(target.pair.accessToken))
            .expect(200);
          expect(me.body.roles).toEqual(['user']);
        },
      );
    });

    describe('page is bounded', () => {
      it.each([
        ['/api/articles', false],
        ['/api/admin/users', true],
      ])(
        'GET %s: page=1000000 is an empty page; larger or huge pages are 400 validation_failed',
        async (path, asAdmin) => {
          const get = (page: string) => {
            const req = t.http().get(`${path}?page=${page}`);
            return asAdmin ? req.set(bearer(admin.accessToken)) : req;
          };
          for (const page of ['99999999999999999999', '1e20', '1000001']) {
            const res = await get(page);
            expect({ page, status: res.status, body: res.body }).toMatchObject({
              page,
              status: 400,
              body: { statusCode: 400, code: 'validation_failed' },
            });
            expect(res.body.message).toEqual(
              expect.arrayContaining([expect.stringMatching(/^page\b/)]),
            );
          }

          const last = await get('1000000').expect(200);
          expect(last.body).toMatchObject({ items: [], page: 1_000_000, limit: 20 });
          expect(last.body.total).toBeGreaterThanOrEqual(1);
        },
      );
    });

    describe('trailing slash', () => {
      it('GET /api/articles/ answers the list', async () => {
        const res = await t.http().get('/api/articles/').expect(200);
        expect(res.body).toMatchObject({ page: 1, limit: 20 });
        expect(res.body.items.map((item: { id: string }) => item.id)).toContain(articleId);
      });

      it('POST /api/articles/ with a token creates an article', async () => {
        const res = await t
          .http()
          .post('/api/articles/')
          .set(bearer(author.accessToken))
          .send({ title: 'Slash', body: 'Trailing slash post.' });
        expect(res.status).toBe(201);
        expect(res.body).toMatchObject({
          id: expect.any(String),
          title: 'Slash',
          authorId: author.user.id,
        });
        await t.http().get(`/api/articles/${res.body.id}`).expect(200);
      });
    });

    describe('upper-case UUIDs', () => {
      it('GET /api/articles/<ID IN UPPER CASE> answers the same article', async () => {
        const res = await t.http().get(`/api/articles/${articleId.toUpperCase()}`);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ id: articleId, title: 'Hardening' });
      });
    });

    describe('body shape is checked before anything else', () => {
      it.each(['refresh', 'logout'])(
        'POST /api/auth/%s with an unknown field and a garbage token answers 400 naming it',
        async (route) => {
          const res = await t
            .http()
            .post(`/api/auth/${route}`)
            .send({ refreshToken: 'garbage', foo: 1 });
          expect(res.status).toBe(400);
          expect(res.body).toMatchObject({ statusCode: 400, code: 'validation_failed' });
          expect(res.body.message).toEqual(
            expect.arrayContaining([expect.stringContaining('foo')]),
          );
        },
      );

      it('POST /api/auth/login with a JSON array answers 400 "body must be a JSON object"', async () => {
        const res = await t
          .http()
          .post('/api/auth/login')
          .set('Content-Type', 'application/json')
          .send('[]');
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({
          statusCode: 400,
          code: 'validation_failed',
          message: ['body must be a JSON object'],
        });
      });

      it('POST /api/articles with a JSON array answers 400 "body must be a JSON object"', async () => {
        const res = await t
          .http()
          .post('/api/articles')
          .set(bearer(author.accessToken))
          .set('Content-Type', 'application/json')
          .send('[1,2]');
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ statusCode: 400, code: 'validation_failed' });
        expect(res.body.message).toEqual(expect.arrayContaining(['body must be a JSON object']));
      });
    });

    describe('emails are compared in Unicode NFC', () => {
      it('one address spelt in NFC or NFD is one account', async () => {
        const local = `jos-${rand()}`;
        const nfc = `${local}\u00e9@example.com`;
        const nfd = `${local}e\u0301@example.com`;
        expect(nfd).not.toBe(nfc);
        expect(nfd.normalize('NFC')).toBe(nfc);

        const first = await registerUser(t.http, { email: nfc });
        expect(first.pair.user.email).toBe(nfc);

        const again = await t
          .http()
          .post('/api/auth/register')
          .send({ email: nfd, password: 'another long password' });
        expect(again.status).toBe(409);
        expect(again.body).toMatchObject({ statusCode: 409, code: 'email_taken' });

        const viaNfd = await login(t.http, nfd, first.password);
        expect(viaNfd.user).toMatchObject({ id: first.pair.user.id, email: nfc });
      });

      it('an address without the accent is another account (binary collation on MariaDB)', async () => {
        const local = `jos-${rand()}`;
        const accented = `${local}\u00e9@example.com`;
        const plain = `${local}e@example.com`;
        const first = await registerUser(t.http, { email: accented });

        const other = await t
          .http()
          .post('/api/auth/register')
          .send({ email: plain, password: 'another long password' });
        expect(other.status).toBe(201);
        expect(other.body.user.email).toBe(plain);
        expect(other.body.user.id).not.toBe(first.pair.user.id);

        // Each logs in to its own account, with its own password.
        expect((await login(t.http, plain, 'another long password')).user.id).toBe(
          other.body.user.id,
        );
        expect((await login(t.http, accented, first.password)).user.id).toBe(first.pair.user.id);
        const crossed = await t
          .http()
          .post('/api/auth/login')
          .send({ email: plain, password: first.password });
        expect(crossed.status).toBe(401);
        expect(crossed.body).toMatchObject({ code: 'invalid_credentials' });
      });
    });
  });

  describe('oversized request headers', () => {
    let t: TestApp;
    let port: number;
    beforeAll(async () => {
      t = await createTestApp();
      await t.app.listen(0, '127.0.0.1');
      port = (t.app.getHttpServer().address() as AddressInfo).port;
    });
    afterAll(() => t.close());

    it('answers 431 headers_too_large in the contract error shape', async () => {
      const res = await rawRequest(port, 'GET', '/api/articles', {
        'X-Padding': 'a'.repeat(20 * 1024),
      });
      expect(res.status).toBe(431);
      expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
      const body = JSON.parse(res.body);
      expect(body).toEqual({
        statusCode: 431,
        code: 'headers_too_large',
        error: expect.any(String),
        message: expect.any(String),
      });

      // Only that connection is closed: the server goes on serving.
      expect((await rawRequest(port, 'GET', '/api/health')).status).toBe(200);
    });
  });

  describe('session list', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ REFRESH_TOKEN_TTL: '1h', SESSION_MAX_TTL: '30d' });
    });
    afterAll(() => t.close());

    it('lists only sessions whose refresh token is alive, ending at that token’s expiry', async () => {
      const { email, password, pair: a } = await registerUser(t.http);
      const b0 = await login(t.http, email, password);
      expect(b0.user.id).toBe(a.user.id);
      const sidA = decodeJwt(a.accessToken).sid as string;
      const sidB = decodeJwt(b0.accessToken).sid as string;
      expect(sidB).not.toBe(sidA);

      const refresh = async (token: string) =>
        (await t.http().post('/api/auth/refresh').send({ refreshToken: token }).expect(200))
          .body as TokenPairBody;

      const b1 = await refresh(b0.refreshToken);
      t.clock.advance(50 * MINUTE);
      const b2 = await refresh(b1.refreshToken);
      expect(b2.refreshExpiresIn).toBe(60 * MINUTE);
      const b2Expiry = t.clock.now().getTime() + b2.refreshExpiresIn * 1000;
      t.clock.advance(20 * MINUTE);

      // A's only refresh token (issued 70 min ago, 1 h TTL) can no longer refresh.
      const deadA = await t.http().post('/api/auth/refresh').send({ refreshToken: a.refreshToken });
      expect(deadA.status).toBe(401);
      expect(deadA.body).toMatchObject({ code: 'refresh_token_expired' });

      const res = await t.http().get('/api/auth/sessions').set(bearer(b2.accessToken)).expect(200);
      expect(res.body.map((session: { id: string }) => session.id)).toEqual([sidB]);
      const [listed] = res.body as { expiresAt: string; current: boolean }[];
      expect(listed.current).toBe(true);
      const listedExpiry = Date.parse(listed.expiresAt);
      expect(Math.abs(listedExpiry - b2Expiry)).toBeLessThanOrEqual(5000);
      expect(Math.abs(listedExpiry - decodeJwt(b2.refreshToken).exp * 1000)).toBeLessThanOrEqual(
        5000,
      );
      // About 40 minutes ahead on the server's clock, nowhere near the 30-day absolute end.
      const ahead = listedExpiry - t.clock.now().getTime();
      expect(ahead).toBeGreaterThan(35 * MINUTE * 1000);
      expect(ahead).toBeLessThanOrEqual(40 * MINUTE * 1000 + 5000);
    });
  });
});
