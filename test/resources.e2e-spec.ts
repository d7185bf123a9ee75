import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { bearer, login, loginAdmin, registerUser, TokenPairBody } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function expectError(res: Response, statusCode: number, code: string): void {
  expect({ status: res.status, body: res.body }).toMatchObject({
    status: statusCode,
    body: { statusCode, code },
  });
}

function expectValidationFailed(res: Response): void {
  expectError(res, 400, 'validation_failed');
  expect(Array.isArray(res.body.message)).toBe(true);
  expect(res.body.message.length).toBeGreaterThan(0);
}

describe('users: /api/users/me', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('GET /me answers the caller without any password field', async () => {
    const { pair, email } = await registerUser(t.http, { name: 'Ann' });
    const res = await t.http().get('/api/users/me').set(bearer(pair.accessToken)).expect(200);
    expect(res.body).toEqual({
      id: pair.user.id,
      email,
      name: 'Ann',
      roles: ['user'],
      emailVerified: false,
      createdAt: expect.stringMatching(ISO_DATE),
    });
    expect(res.text).not.toMatch(/password/i);
    expect(res.text).not.toMatch(/\$2[aby]\$/);
  });

  it('GET /me has name null when none was given', async () => {
    const { pair } = await registerUser(t.http);
    const res = await t.http().get('/api/users/me').set(bearer(pair.accessToken)).expect(200);
    expect(res.body.name).toBeNull();
  });

  it('PATCH /me changes the name and answers the user', async () => {
    const { pair, email } = await registerUser(t.http, { name: 'Old' });
    const res = await t
      .http()
      .patch('/api/users/me')
      .set(bearer(pair.accessToken))
      .send({ name: 'New name' })
      .expect(200);
    expect(res.body).toEqual({
      id: pair.user.id,
      email,
      name: 'New name',
      roles: ['user'],
      emailVerified: false,
      createdAt: expect.stringMatching(ISO_DATE),
    });
    const me = await t.http().get('/api/users/me').set(bearer(pair.accessToken)).expect(200);
    expect(me.body.name).toBe('New name');
  });

  it('PATCH /me accepts a name of exactly 100 characters', async () => {
    const { pair } = await registerUser(t.http);
    const name = 'n'.repeat(100);
    const res = await t.http().patch('/api/users/me').set(bearer(pair.accessToken)).send({ name });
    expect(res.status).toBe(200);
    expect(res.body.name).toBe(name);
  });

  it.each([
    ['an empty name', { name: '' }],
    ['a name over 100 characters', { name: 'n'.repeat(101) }],
    ['a non-string name', { name: 123 }],
    ['a missing name', {}],
    ['an unknown field', { name: 'Ann', email: 'other@example.com' }],
    ['an attempt to set roles', { name: 'Ann', roles: ['admin'] }],
  ])('PATCH /me rejects %s with 400 validation_failed', async (_label, body) => {
    const { pair } = await registerUser(t.http, { name: 'Kept' });
    const res = await t.http().patch('/api/users/me').set(bearer(pair.accessToken)).send(body);
    expectValidationFailed(res);
    const me = await t.http().get('/api/users/me').set(bearer(pair.accessToken)).expect(200);
    expect(me.body).toMatchObject({ name: 'Kept', roles: ['user'] });
  });
});

describe('admin: /api/admin/users', () => {
  let t: TestApp;
  let admin: TokenPairBody;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await loginAdmin(t.http);
  });
  afterAll(() => t.close());

  it('lists users with disabled, paginated, without password fields', async () => {
    const { email } = await registerUser(t.http);
    const res = await t
      .http()
      .get('/api/admin/users?page=1&limit=20')
      .set(bearer(admin.accessToken))
      .expect(200);
    expect(res.body).toEqual({
      items: expect.any(Array),
      total: expect.any(Number),
      page: 1,
      limit: 20,
    });
    expect(res.body.total).toBeGreaterThanOrEqual(2);
    for (const item of res.body.items) {
      expect(Object.keys(item).sort()).toEqual(
        ['createdAt', 'disabled', 'email', 'emailVerified', 'id', 'name', 'roles'].sort(),
      );
      expect(typeof item.disabled).toBe('boolean');
    }
    expect(res.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ email, roles: ['user'], disabled: false }),
        expect.objectContaining({ email: 'admin@example.com', disabled: false }),
      ]),
    );
    expect(res.text).not.toMatch(/password/i);
  });

  it('defaults to page 1, limit 20 and honours limit', async () => {
    await registerUser(t.http);
    const all = await t.http().get('/api/admin/users').set(bearer(admin.accessToken)).expect(200);
    expect(all.body).toMatchObject({ page: 1, limit: 20 });
    const one = await t
      .http()
      .get('/api/admin/users?page=2&limit=1')
      .set(bearer(admin.accessToken))
      .expect(200);
    expect(one.body).toMatchObject({ page: 2, limit: 1, total: all.body.total });
    expect(one.body.items).toHaveLength(1);
  });

  it.each(['page=0', 'limit=0', 'limit=101', 'page=abc', 'page=-1', 'limit=1.5'])(
    'rejects ?%s with 400 validation_failed',
    async (query) => {
      const res = await t.http().get(`/api/admin/users?${query}`).set(bearer(admin.accessToken));
      expectValidationFailed(res);
    },
  );

  it('answers 403 forbidden to a normal user on every admin route', async () => {
    const { pair } = await registerUser(t.http);
    const auth = bearer(pair.accessToken);
    const list = await t.http().get('/api/admin/users').set(auth);
    expectError(list, 403, 'forbidden');
    const patch = await t
      .http()
      .patch(`/api/admin/users/${pair.user.id}`)
      .set(auth)
      .send({ roles: ['user', 'admin'] });
    expectError(patch, 403, 'forbidden');
    const del = await t.http().delete(`/api/admin/users/${pair.user.id}/sessions`).set(auth);
    expectError(del, 403, 'forbidden');
    const me = await t.http().get('/api/users/me').set(auth).expect(200);
    expect(me.body.roles).toEqual(['user']);
  });

  it("grants admin with PATCH roles, effective on the user's existing token at once", async () => {
    const { pair } = await registerUser(t.http);
    const before = await t.http().get('/api/admin/users').set(bearer(pair.accessToken));
    expectError(before, 403, 'forbidden');

    const res = await t
      .http()
      .patch(`/api/admin/users/${pair.user.id}`)
      .set(bearer(admin.accessToken))
      .send({ roles: ['user', 'admin'] })
      .expect(200);
    expect(res.body).toMatchObject({ id: pair.user.id, disabled: false });
    expect([...res.body.roles].sort()).toEqual(['admin', 'user']);
    expect(res.text).not.toMatch(/password/i);

    // Roles come from the database on every request, not from the (older) token's claim.
    const after = await t.http().get('/api/admin/users').set(bearer(pair.accessToken));
    expect(after.status).toBe(200);
    expect(after.body.items.length).toBeGreaterThan(0);
  });

  it('revokes admin with PATCH roles, effective at once', async () => {
    const { pair } = await registerUser(t.http);
    await t
      .http()
      .patch(`/api/admin/users/${pair.user.id}`)
      .set(bearer(admin.accessToken))
      .send({ roles: ['user', 'admin'] })
      .expect(200);
    await t.http().get('/api/admin/users').set(bearer(pair.accessToken)).expect(200);
    await t
      .http()
      .patch(`/api/admin/users/${pair.user.id}`)
      .set(bearer(admin.accessToken))
      .send({ roles: ['user'] })
      .expect(200);
    const res = await t.http().get('/api/admin/users').set(bearer(pair.accessToken));
    expectError(res, 403, 'forbidden');
  });

  it('disables a user: their tokens stop working and a correct login answers user_disabled', async () => {
    const { pair, email, password } = await registerUser(t.http);
    const res = await t
      .http()
      .patch(`/api/admin/users/${pair.user.id}`)
      .set(bearer(admin.accessToken))
      .send({ disabled: true })
      .expect(200);
    expect(res.body).toMatchObject({ id: pair.user.id, email, disabled: true });

    const me = await t.http().get('/api/users/me').set(bearer(pair.accessToken));
    expect(me.status).toBe(401);
    expect(['user_disabled', 'token_revoked']).toContain(me.body.code);
    expect(me.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token"');

    const refresh = await t
      .http()
      .post('/api/auth/refresh')
      .send({ refreshToken: pair.refreshToken });
    expect(refresh.status).toBe(401);
    expect(['user_disabled', 'refresh_token_revoked']).toContain(refresh.body.code);

    const fresh = await t.http().post('/api/auth/login').send({ email, password });
    expectError(fresh, 401, 'user_disabled');

    const wrong = await t
      .http()
      .post('/api/auth/login')
      .send({ email, password: 'not-the-password' });
    expectError(wrong, 401, 'invalid_credentials');

    const listed = await t
      .http()
      .get('/api/admin/users?limit=100')
      .set(bearer(admin.accessToken))
      .expect(200);
    expect(listed.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: pair.user.id, disabled: true })]),
    );
  });

  it('re-enables a disabled user: login works again', async () => {
    const { pair, email, password } = await registerUser(t.http);
    const url = `/api/admin/users/${pair.user.id}`;
    await t.http().patch(url).set(bearer(admin.accessToken)).send({ disabled: true }).expect(200);
    const res = await t
      .http()
      .patch(url)
      .set(bearer(admin.accessToken))
      .send({ disabled: false })
      .expect(200);
    expect(res.body.disabled).toBe(false);
    const fresh = await login(t.http, email, password);
    await t.http().get('/api/users/me').set(bearer(fresh.accessToken)).expect(200);
  });

  it.each([
    ['an unknown role', { roles: ['superuser'] }],
    ['a non-boolean disabled', { disabled: 'yes' }],
    ['an unknown field', { email: 'x@example.com' }],
    ['roles that are not an array', { roles: 'admin' }],
  ])('PATCH rejects %s with 400 validation_failed and changes nothing', async (_label, body) => {
    const { pair } = await registerUser(t.http);
    const res = await t
      .http()
      .patch(`/api/admin/users/${pair.user.id}`)
      .set(bearer(admin.accessToken))
      .send(body);
    expectValidationFailed(res);
    const me = await t.http().get('/api/users/me').set(bearer(pair.accessToken)).expect(200);
    expect(me.body.roles).toEqual(['user']);
  });

  it('PATCH answers 404 not_found for an unknown user id', async () => {
    const res = await t
      .http()
      .patch(`/api/admin/users/${randomUUID()}`)
      .set(bearer(admin.accessToken))
      .send({ disabled: true });
    expectError(res, 404, 'not_found');
  });

  it('PATCH answers 400 validation_failed for a malformed id', async () => {
    const res = await t
      .http()
      .patch('/api/admin/users/not-a-uuid')
      .set(bearer(admin.accessToken))
      .send({ disabled: true });
    expectValidationFailed(res);
  });

  it('DELETE /users/:id/sessions ends every session of that user', async () => {
    const { pair, email, password } = await registerUser(t.http);
    const second = await login(t.http, email, password);
    const bystander = await registerUser(t.http);

    const res = await t
      .http()
      .delete(`/api/admin/users/${pair.user.id}/sessions`)
      .set(bearer(admin.accessToken));
    expect(res.status).toBe(204);
    expect(res.text).toBe('');

    for (const token of [pair.accessToken, second.accessToken]) {
      const me = await t.http().get('/api/users/me').set(bearer(token));
      expectError(me, 401, 'token_revoked');
    }
    const refresh = await t
      .http()
      .post('/api/auth/refresh')
      .send({ refreshToken: second.refreshToken });
    expectError(refresh, 401, 'refresh_token_revoked');

    // Only that user: the admin and other users keep their sessions, and the user may log in again.
    await t.http().get('/api/users/me').set(bearer(bystander.pair.accessToken)).expect(200);
    await t.http().get('/api/users/me').set(bearer(admin.accessToken)).expect(200);
    const again = await login(t.http, email, password);
    await t.http().get('/api/users/me').set(bearer(again.accessToken)).expect(200);
  });

  it('DELETE /users/:id/sessions answers 404 not_found for an unknown id and 400 for a malformed one', async () => {
    const unknown = await t
      .http()
      .delete(`/api/admin/users/${randomUUID()}/sessions`)
      .set(bearer(admin.accessToken));
    expectError(unknown, 404, 'not_found');
    const malformed = await t
      .http()
      .delete('/api/admin/users/123/sessions')
      .set(bearer(admin.accessToken));
    expectValidationFailed(malformed);
  });
});

describe('articles: /api/articles', () => {
  let t: TestApp;
  let admin: TokenPairBody;
  let author: TokenPairBody;
  let other: TokenPairBody;

  const create = async (token: string, body: Record<string, unknown> = {}) => {
    const res = await t
      .http()
      .post('/api/articles')
      .set(bearer(token))
      .send({ title: 'A title', body: 'Some body.', ...body });
    expect(res.status).toBe(201);
    return res.body as {
      id: string;
      title: string;
      body: string;
      authorId: string;
      createdAt: string;
      updatedAt: string;
    };
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await loginAdmin(t.http);
    author = (await registerUser(t.http)).pair;
    other = (await registerUser(t.http)).pair;
  });
  afterAll(() => t.close());

  it('POST creates an article owned by the caller', async () => {
    const res = await t
      .http()
      .post('/api/articles')
      .set(bearer(author.accessToken))
      .send({ title: 'Hello', body: 'First post.' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(UUID),
      title: 'Hello',
      body: 'First post.',
      authorId: author.user.id,
      createdAt: expect.stringMatching(ISO_DATE),
      updatedAt: expect.stringMatching(ISO_DATE),
    });
  });

  it('POST refuses an authorId field (the author is always the caller)', async () => {
    const res = await t
      .http()
      .post('/api/articles')
      .set(bearer(author.accessToken))
      .send({ title: 'x', body: 'y', authorId: other.user.id });
    expectValidationFailed(res);
  });

  it('POST without a token answers 401 token_missing', async () => {
    const res = await t.http().post('/api/articles').send({ title: 'x', body: 'y' });
    expectError(res, 401, 'token_missing');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
  });

  it.each([
    ['an empty title', { title: '', body: 'b' }],
    ['a title of 201 characters', { title: 't'.repeat(201), body: 'b' }],
    ['an empty body', { title: 't', body: '' }],
    ['a body of 20001 characters', { title: 't', body: 'b'.repeat(20_001) }],
    ['a missing title', { body: 'b' }],
    ['a missing body', { title: 't' }],
    ['a non-string title', { title: 42, body: 'b' }],
    ['an unknown field', { title: 't', body: 'b', tags: ['x'] }],
  ])('POST rejects %s with 400 validation_failed', async (_label, body) => {
    const res = await t.http().post('/api/articles').set(bearer(author.accessToken)).send(body);
    expectValidationFailed(res);
  });

  it('POST accepts a title of 200 and a body of exactly 20000 characters', async () => {
    const title = 't'.repeat(200);
    const body = 'b'.repeat(20_000);
    const created = await create(author.accessToken, { title, body });
    expect(created.title).toBe(title);
    expect(created.body).toBe(body);
    const res = await t.http().get(`/api/articles/${created.id}`).expect(200);
    expect(res.body.body).toHaveLength(20_000);
  });

  it('GET /:id is public and answers the article', async () => {
    const created = await create(author.accessToken, { title: 'Readable' });
    const res = await t.http().get(`/api/articles/${created.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(created);
  });

  it('GET /:id answers 404 not_found for an unknown id and 400 validation_failed for a malformed one', async () => {
    const unknown = await t.http().get(`/api/articles/${randomUUID()}`);
    expectError(unknown, 404, 'not_found');
    const malformed = await t.http().get('/api/articles/not-a-uuid');
    expectValidationFailed(malformed);
  });

  it('PATCH by the author changes the given fields and updatedAt', async () => {
    const created = await create(author.accessToken, { title: 'Before', body: 'Kept body' });
    t.clock.advance(5);
    const res = await t
      .http()
      .patch(`/api/articles/${created.id}`)
      .set(bearer(author.accessToken))
      .send({ title: 'After' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: created.id,
      title: 'After',
      body: 'Kept body',
      authorId: author.user.id,
      createdAt: created.createdAt,
    });
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThan(Date.parse(created.updatedAt));
    const read = await t.http().get(`/api/articles/${created.id}`).expect(200);
    expect(read.body.title).toBe('After');
  });

  it('PATCH by another user answers 403 forbidden and changes nothing', async () => {
    const created = await create(author.accessToken, { title: 'Mine' });
    const res = await t
      .http()
      .patch(`/api/articles/${created.id}`)
      .set(bearer(other.accessToken))
      .send({ title: 'Stolen' });
    expectError(res, 403, 'forbidden');
    const read = await t.http().get(`/api/articles/${created.id}`).expect(200);
    expect(read.body.title).toBe('Mine');
  });

  it("PATCH by an admin on someone else's article answers 200", async () => {
    const created = await create(author.accessToken, { title: 'Moderate me' });
    const res = await t
      .http()
      .patch(`/api/articles/${created.id}`)
      .set(bearer(admin.accessToken))
      .send({ body: 'Moderated.' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: created.id,
      body: 'Moderated.',
      authorId: author.user.id,
    });
  });

  it('PATCH validates: empty title, over-long body, unknown field → 400; unknown id → 404; malformed id → 400', async () => {
    const created = await create(author.accessToken);
    const url = `/api/articles/${created.id}`;
    const auth = bearer(author.accessToken);
    expectValidationFailed(await t.http().patch(url).set(auth).send({ title: '' }));
    expectValidationFailed(
      await t
        .http()
        .patch(url)
        .set(auth)
        .send({ body: 'b'.repeat(20_001) }),
    );
    expectValidationFailed(await t.http().patch(url).set(auth).send({ authorId: other.user.id }));
    const unknown = await t
      .http()
      .patch(`/api/articles/${randomUUID()}`)
      .set(auth)
      .send({ title: 'x' });
    expectError(unknown, 404, 'not_found');
    expectValidationFailed(
      await t.http().patch('/api/articles/xyz').set(auth).send({ title: 'x' }),
    );
  });

  it('PATCH without a token answers 401 token_missing', async () => {
    const created = await create(author.accessToken);
    const res = await t.http().patch(`/api/articles/${created.id}`).send({ title: 'x' });
    expectError(res, 401, 'token_missing');
  });

  it('DELETE by another user answers 403; by the author 204, then GET answers 404', async () => {
    const created = await create(author.accessToken);
    const url = `/api/articles/${created.id}`;
    const denied = await t.http().delete(url).set(bearer(other.accessToken));
    expectError(denied, 403, 'forbidden');
    await t.http().get(url).expect(200);

    const res = await t.http().delete(url).set(bearer(author.accessToken));
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const gone = await t.http().get(url);
    expectError(gone, 404, 'not_found');
    const again = await t.http().delete(url).set(bearer(author.accessToken));
    expectError(again, 404, 'not_found');
  });

  it("DELETE by an admin removes someone else's article", async () => {
    const created = await create(author.accessToken);
    const url = `/api/articles/${created.id}`;
    const res = await t.http().delete(url).set(bearer(admin.accessToken));
    expect(res.status).toBe(204);
    expectError(await t.http().get(url), 404, 'not_found');
  });

  it('DELETE answers 401 token_missing without a token, 400 for a malformed id', async () => {
    const created = await create(author.accessToken);
    expectError(await t.http().delete(`/api/articles/${created.id}`), 401, 'token_missing');
    expectValidationFailed(
      await t.http().delete('/api/articles/1').set(bearer(author.accessToken)),
    );
    await t.http().get(`/api/articles/${created.id}`).expect(200);
  });

  it.each(['page=0', 'limit=0', 'limit=101', 'page=abc'])(
    'GET list rejects ?%s with 400 validation_failed',
    async (query) => {
      expectValidationFailed(await t.http().get(`/api/articles?${query}`));
    },
  );
});

describe('articles: public list, newest first, paginated', () => {
  let t: TestApp;
  let ids: string[];

  beforeAll(async () => {
    t = await createTestApp();
    const { pair } = await registerUser(t.http);
    ids = [];
    for (const title of ['first', 'second', 'third']) {
      const res = await t
        .http()
        .post('/api/articles')
        .set(bearer(pair.accessToken))
        .send({ title, body: `${title} body` })
        .expect(201);
      ids.push(res.body.id);
      t.clock.advance(2);
    }
  });
  afterAll(() => t.close());

  it('lists without a token, newest first, with defaults page 1 limit 20', async () => {
    const res = await t.http().get('/api/articles');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 3, page: 1, limit: 20 });
    expect(res.body.items.map((a: { title: string }) => a.title)).toEqual([
      'third',
      'second',
      'first',
    ]);
    expect(res.body.items.map((a: { id: string }) => a.id)).toEqual([...ids].reverse());
    for (const item of res.body.items) {
      expect(Object.keys(item).sort()).toEqual(
        ['authorId', 'body', 'createdAt', 'id', 'title', 'updatedAt'].sort(),
      );
    }
  });

  it('paginates: limit=2 gives 2 items of 3, page=2 the last one', async () => {
    const first = await t.http().get('/api/articles?page=1&limit=2').expect(200);
    expect(first.body).toMatchObject({ total: 3, page: 1, limit: 2 });
    expect(first.body.items.map((a: { title: string }) => a.title)).toEqual(['third', 'second']);

    const second = await t.http().get('/api/articles?page=2&limit=2').expect(200);
    expect(second.body).toMatchObject({ total: 3, page: 2, limit: 2 });
    expect(second.body.items.map((a: { title: string }) => a.title)).toEqual(['first']);

    const beyond = await t.http().get('/api/articles?page=3&limit=2').expect(200);
    expect(beyond.body).toMatchObject({ total: 3, page: 3, limit: 2, items: [] });
  });
});

describe('health: /api/health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers 200 {"status":"ok","db":"up"} without a token', async () => {
    const res = await t.http().get('/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', db: 'up' });
  });
});
