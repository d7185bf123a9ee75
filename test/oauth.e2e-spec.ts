import { KeySet } from '../src/keys/key-set.service';
import { bearer, decodeJwt, registerUser, signTestToken, TokenPairBody } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';
import { forgeJwt } from './utils/forge-jwt';
import { LogCapture } from './utils/log-capture';
import { TEST_ACCESS_SECRET } from './utils/test-env';

const CLIENT_ID = 'resource-server';
const CLIENT_SECRET = 'resource-server-secret-0123456789-abcdef';
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
const CLIENT = basic(CLIENT_ID, CLIENT_SECRET);
const FORM = 'application/x-www-form-urlencoded';

describe.each(['HS256', 'EdDSA'])('OAuth introspection and revocation (JWT_ALG=%s)', (alg) => {
  const logs = new LogCapture();
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(
      {
        JWT_ALG: alg,
        INTROSPECTION_CLIENTS: `${CLIENT_ID}:${CLIENT_SECRET},other:${'o'.repeat(40)}`,
      },
      { logs },
    );
  });
  afterAll(() => t.close());

  const introspect = (token: string, hint?: string, authorization: string | null = CLIENT) => {
    const req = t.http().post('/api/oauth/introspect').type(FORM);
    if (authorization) req.set('Authorization', authorization);
    return req.send({ token, ...(hint && { token_type_hint: hint }) });
  };
  const revoke = (token: string, hint?: string, authorization: string | null = CLIENT) => {
    const req = t.http().post('/api/oauth/revoke').type(FORM);
    if (authorization) req.set('Authorization', authorization);
    return req.send({ token, ...(hint && { token_type_hint: hint }) });
  };
  /** A genuine access token of `pair`'s session, already expired. */
  const expiredAccess = (pair: TokenPairBody) => {
    const { sub, sid, roles } = decodeJwt(pair.accessToken);
    const now = Math.floor(Date.now() / 1000);
    const payload = { sub, sid, roles, jti: 'expired', iat: now - 120, exp: now - 60 };
    const full = { ...payload, iss: 'nest-auth-service', aud: 'nest-auth-service' };
    if (alg === 'HS256') {
      return forgeJwt({ alg: 'HS256', typ: 'at+jwt' }, full, {
        hmac: 'sha256',
        key: TEST_ACCESS_SECRET,
      });
    }
    return t.app.get(KeySet).sign(full);
  };

  describe('introspection', () => {
    it('reports a live access token with its claims', async () => {
      const { pair } = await registerUser(t.http);
      const claims = decodeJwt(pair.accessToken);
      const res = await introspect(pair.accessToken).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({
        active: true,
        token_type: 'Bearer',
        token_use: 'access_token',
        sub: pair.user.id,
        sid: claims.sid,
        jti: claims.jti,
        iat: claims.iat,
        exp: claims.exp,
        iss: 'nest-auth-service',
        aud: 'nest-auth-service',
        roles: ['user'],
      });
    });

    it('reports a live refresh token, whatever the hint', async () => {
      const { pair } = await registerUser(t.http);
      for (const hint of ['refresh_token', 'access_token', undefined, 'no-such-hint']) {
        const res = await introspect(pair.refreshToken, hint).expect(200);
        expect(res.body).toMatchObject({
          active: true,
          token_use: 'refresh_token',
          sub: pair.user.id,
          sid: decodeJwt(pair.refreshToken).sid,
          jti: decodeJwt(pair.refreshToken).jti,
          exp: expect.any(Number),
        });
      }
      // An access token with the refresh hint is still recognised as what it is.
      const access = await introspect(pair.accessToken, 'refresh_token').expect(200);
      expect(access.body).toMatchObject({ active: true, token_use: 'access_token' });
    });

    it('answers exactly {"active":false} for expired, forged, unknown, spent and ended tokens', async () => {
      const { pair } = await registerUser(t.http);
      const refreshed = await t
        .http()
        .post('/api/auth/refresh')
        .send({ refreshToken: pair.refreshToken });
      expect(refreshed.status).toBe(200);
      const forged = signTestToken(
        { sub: pair.user.id, sid: decodeJwt(pair.accessToken).sid, roles: ['admin'] },
        { key: 'not-the-secret-0123456789-0123456789-xyz' },
      );
      const inactive: Record<string, string> = {
        expired: expiredAccess(pair),
        forged,
        garbage: 'not.a.token',
        'spent refresh token': pair.refreshToken,
        'an access token with its signature cut':
          pair.accessToken.split('.').slice(0, 2).join('.') + '.',
      };
      for (const [name, token] of Object.entries(inactive)) {
        const res = await introspect(token);
        expect({ name, status: res.status, body: res.body }).toEqual({
          name,
          status: 200,
          body: { active: false },
        });
      }
      // Logout ends the session: its access token and live refresh token turn inactive at once.
      const live = refreshed.body as TokenPairBody;
      expect((await introspect(live.accessToken)).body.active).toBe(true);
      await t.http().post('/api/auth/logout').send({ refreshToken: live.refreshToken }).expect(204);
      expect((await introspect(live.accessToken)).body).toEqual({ active: false });
      expect((await introspect(live.refreshToken)).body).toEqual({ active: false });
    });

    it('is inactive for a disabled user, and after the session was deleted', async () => {
      const a = await registerUser(t.http);
      const b = await registerUser(t.http);
      const sid = decodeJwt(b.pair.accessToken).sid as string;
      await t
        .http()
        .delete(`/api/auth/sessions/${sid}`)
        .set(bearer(b.pair.accessToken))
        .expect(204);
      expect((await introspect(b.pair.accessToken)).body).toEqual({ active: false });
      await t.dataSource.query('UPDATE users SET disabled = ? WHERE id = ?', [1, a.pair.user.id]);
      expect((await introspect(a.pair.accessToken)).body).toEqual({ active: false });
      expect((await introspect(a.pair.refreshToken)).body).toEqual({ active: false });
    });

    it('requires client authentication: 401 invalid_client with a Basic challenge', async () => {
      const { pair } = await registerUser(t.http);
      const attempts: Record<string, string | null> = {
        missing: null,
        'wrong secret': basic(CLIENT_ID, 'wrong-secret-0123456789-0123456789-abc'),
        'unknown client': basic('nobody', CLIENT_SECRET),
        "another client's secret": basic('other', CLIENT_SECRET),
        'not base64': 'Basic %%%',
        'no colon': `Basic ${Buffer.from('resource-server').toString('base64')}`,
        'a bearer token': `Bearer ${pair.accessToken}`,
      };
      for (const [name, authorization] of Object.entries(attempts)) {
        const res = await introspect(pair.accessToken, undefined, authorization);
        expect({ name, status: res.status, code: res.body.code }).toEqual({
          name,
          status: 401,
          code: 'invalid_client',
        });
        expect(res.headers['www-authenticate']).toMatch(/^Basic realm="oauth"/);
        expect(res.body).not.toHaveProperty('active');
      }
      const other = await introspect(pair.accessToken, undefined, basic('other', 'o'.repeat(40)));
      expect(other.body).toMatchObject({ active: true, sub: pair.user.id });
    });

    it('validates the form: token required, no unknown or repeated parameters, form or JSON only', async () => {
      const post = () => t.http().post('/api/oauth/introspect').set('Authorization', CLIENT);
      const missing = await post().type(FORM).send('token_type_hint=access_token');
      expect(missing.status).toBe(400);
      expect(missing.body.code).toBe('validation_failed');
      const twice = await post().type(FORM).send('token=a&token=b');
      expect(twice.status).toBe(400);
      expect(twice.body.message).toEqual(['token must not be sent more than once']);
      const unknown = await post().type(FORM).send('token=a&scope=all');
      expect(unknown.status).toBe(400);
      const proto = await post().type(FORM).send('token=a&__proto__=x');
      expect(proto.status).toBe(400);
      const text = await post().set('content-type', 'text/plain').send('token=a');
      expect(text.status).toBe(415);
      const json = await post().send({ token: 'a' });
      expect(json.body).toEqual({ active: false });
    });

    it('keeps the rest of the API JSON-only: a form body elsewhere is still 415', async () => {
      const res = await t.http().post('/api/auth/login').type(FORM).send('email=a@b.co&password=x');
      expect(res.status).toBe(415);
      expect(res.body.code).toBe('unsupported_media_type');
    });
  });

  describe('revocation', () => {
    it('a client revoking a refresh token ends its session: this server refuses the access token at once', async () => {
      const { pair } = await registerUser(t.http);
      await t.http().get('/api/users/me').set(bearer(pair.accessToken)).expect(200);
      const res = await revoke(pair.refreshToken, 'refresh_token').expect(200);
      expect(res.text).toBe('');
      const me = await t.http().get('/api/users/me').set(bearer(pair.accessToken));
      expect(me.status).toBe(401);
      expect(me.body.code).toBe('token_revoked');
      expect((await introspect(pair.accessToken)).body).toEqual({ active: false });
      const refresh = await t
        .http()
        .post('/api/auth/refresh')
        .send({ refreshToken: pair.refreshToken });
      expect(refresh.body.code).toBe('refresh_token_revoked');
      const [event] = logs.events('oauth.token_revoked').filter((e) => e.userId === pair.user.id);
      expect(event).toMatchObject({ tokenType: 'refresh_token', clientId: CLIENT_ID, ended: true });
    });

    it("the token's holder may revoke an access token without client credentials", async () => {
      const { pair } = await registerUser(t.http);
      await revoke(pair.accessToken, undefined, null).expect(200);
      const me = await t.http().get('/api/users/me').set(bearer(pair.accessToken));
      expect(me.body.code).toBe('token_revoked');
      expect((await introspect(pair.refreshToken)).body).toEqual({ active: false });
      const [event] = logs.events('oauth.token_revoked').filter((e) => e.userId === pair.user.id);
      expect(event).toMatchObject({ tokenType: 'access_token', clientId: null, ended: true });
    });

    it('is idempotent and answers 200 for unknown, forged or expired tokens, ending nothing', async () => {
      const { pair } = await registerUser(t.http);
      const other = await registerUser(t.http);
      await revoke(pair.refreshToken).expect(200);
      await revoke(pair.refreshToken).expect(200);
      await revoke(pair.accessToken).expect(200);
      const events = logs.events('oauth.token_revoked').filter((e) => e.userId === pair.user.id);
      expect(events.map((e) => e.ended)).toEqual([true, false, false]);
      for (const token of ['unknown', expiredAccess(other.pair), other.pair.accessToken + 'x']) {
        await revoke(token).expect(200);
      }
      // The other user's session survived every one of those.
      await t.http().get('/api/users/me').set(bearer(other.pair.accessToken)).expect(200);
    });

    it('refuses wrong client credentials with 401 invalid_client, revoking nothing', async () => {
      const { pair } = await registerUser(t.http);
      const res = await revoke(pair.refreshToken, undefined, basic(CLIENT_ID, 'x'.repeat(40)));
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalid_client');
      expect(res.headers['www-authenticate']).toMatch(/^Basic/);
      await t.http().get('/api/users/me').set(bearer(pair.accessToken)).expect(200);
    });
  });
});
