import { bearer, loginAdmin } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';
import { listenLocal } from './utils/raw-http';
import {
  INSERT_RESET_TOKEN,
  newVictim,
  resetTokenRow,
  send,
  SESSION_ENDINGS,
} from './utils/session-endings';

/**
 * The session-state cache on one instance: a session whose access token was just checked (so
 * it is cached) and then ended by any route answers 401 on the very next request, and a
 * change of the user (roles) shows at once too. With SESSION_CACHE=off, the same.
 */
describe.each([['on'], ['off']])('session cache %s (e2e)', (mode) => {
  let t: TestApp;
  let base: string;
  let adminToken: string;

  beforeAll(async () => {
    t = await createTestApp({ SESSION_CACHE: mode, REFRESH_REUSE_GRACE: '0' });
    base = `http://127.0.0.1:${await listenLocal(t)}`;
    adminToken = (await loginAdmin(t.http)).accessToken;
  });
  afterAll(() => t.close());

  const ctx = () => ({
    base,
    adminToken,
    insertResetToken: async (userId: string, _token: string, hash: string) => {
      await t.dataSource.query(INSERT_RESET_TOKEN, resetTokenRow(userId, hash));
    },
  });

  it.each(SESSION_ENDINGS.map((ending) => [ending.name, ending] as const))(
    '%s: the next request with the cached access token answers 401',
    async (_name, ending) => {
      const victim = await newVictim(base, 'e2e');
      const me = await send(base, 'GET', '/api/users/me', { token: victim.accessToken });
      expect(me.status).toBe(200);
      await ending.end(ctx(), victim);
      const after = await send(base, 'GET', '/api/users/me', { token: victim.accessToken });
      expect(after.status).toBe(401);
      expect(after.body).toMatchObject({ statusCode: 401, code: ending.code });
    },
  );

  it('a role granted by an admin applies to the cached session at once, and so does its removal', async () => {
    const victim = await newVictim(base, 'roles');
    const admin = (path: string) => t.http().get(path).set(bearer(victim.accessToken));
    await admin('/api/admin/users').expect(403);
    await t
      .http()
      .patch(`/api/admin/users/${victim.user.id}`)
      .set(bearer(adminToken))
      .send({ roles: ['user', 'admin'] })
      .expect(200);
    await admin('/api/admin/users').expect(200);
    await t
      .http()
      .patch(`/api/admin/users/${victim.user.id}`)
      .set(bearer(adminToken))
      .send({ roles: ['user'] })
      .expect(200);
    await admin('/api/admin/users').expect(403);
  });

  it('a name change shows in the next GET /users/me', async () => {
    const victim = await newVictim(base, 'name');
    await t.http().get('/api/users/me').set(bearer(victim.accessToken)).expect(200);
    await t
      .http()
      .patch('/api/users/me')
      .set(bearer(victim.accessToken))
      .send({ name: 'Renamed' })
      .expect(200);
    const me = await t.http().get('/api/users/me').set(bearer(victim.accessToken)).expect(200);
    expect(me.body.name).toBe('Renamed');
  });
});
