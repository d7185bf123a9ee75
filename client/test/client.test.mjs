// One client against the real server (REFRESH_REUSE_GRACE=0, so any second spend of a refresh
// token shows up as `refresh_token_reused` and a revoked session, not a silent replay).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AuthError, LoginRequiredError, createAuthClient, memoryStorage } from '../dist/index.js';
import {
  PASSWORD,
  call,
  cookieJar,
  countingFetch,
  sleep,
  startServer,
  uniqueEmail,
  untilExpired,
} from './harness.mjs';

let server;
before(async () => {
  server = await startServer({ ACCESS_TOKEN_TTL: '2s', REFRESH_REUSE_GRACE: '0' });
});
after(() => server?.stop());

async function loggedIn(options = {}) {
  const counter = countingFetch(options.innerFetch);
  const client = createAuthClient({ baseUrl: server.base, fetch: counter.fetch, ...options });
  const user = await client.register({ email: uniqueEmail('c'), password: PASSWORD });
  return { client, counter, user };
}

/** The server's own view: refreshes it logged for the user, reuse detections, live sessions. */
async function serverSide(client, user) {
  const { accessToken } = await client.getTokens();
  const sessions = await call(server.base, 'GET', '/api/auth/sessions', { token: accessToken });
  return {
    refreshes: (await server.events('auth.refresh', user.id)).length,
    reuse: (await server.events('auth.refresh.reuse_detected', user.id)).length,
    sessions: sessions.body,
  };
}

describe('register, login', () => {
  it('stores the token pair and returns the user', async () => {
    const storage = memoryStorage();
    const client = createAuthClient({ baseUrl: server.base, storage });
    const seen = [];
    client.on('tokens', (tokens) => seen.push(tokens));
    const email = uniqueEmail('reg');
    const user = await client.register({ email, password: PASSWORD, name: 'Ann' });
    assert.equal(user.email, email);
    assert.equal(user.name, 'Ann');
    const stored = JSON.parse(storage.get(`nest-auth:${server.base}`));
    assert.match(stored.accessToken, /^eyJ/);
    assert.equal(typeof stored.refreshToken, 'string');
    assert.ok(stored.expiresAt > Date.now() && stored.expiresAt <= Date.now() + 2000);
    assert.deepEqual(seen, [stored]);
    const me = await client.fetch('/api/users/me');
    assert.equal(me.status, 200);
    assert.equal((await me.json()).id, user.id);

    const other = createAuthClient({ baseUrl: server.base });
    assert.equal(await other.getTokens(), null);
    await other.login({ email, password: PASSWORD });
    assert.notEqual((await other.getTokens()).accessToken, stored.accessToken);
    assert.equal((await (await other.fetch('/api/users/me')).json()).id, user.id);
  });

  it('throws AuthError with the server code and stores nothing', async () => {
    const client = createAuthClient({ baseUrl: server.base });
    const email = uniqueEmail('dup');
    await client.register({ email, password: PASSWORD });
    const fresh = createAuthClient({ baseUrl: server.base });
    await assert.rejects(fresh.register({ email, password: PASSWORD }), (error) => {
      assert.ok(error instanceof AuthError);
      assert.equal(error.status, 409);
      assert.equal(error.code, 'email_taken');
      return true;
    });
    await assert.rejects(fresh.login({ email, password: 'wrong password' }), {
      code: 'invalid_credentials',
      status: 401,
    });
    assert.equal(await fresh.getTokens(), null);
  });

  it('sends no token to another origin, and none when logged out', async () => {
    const seen = [];
    const client = createAuthClient({
      baseUrl: server.base,
      fetch: (input, init) => {
        seen.push([`${input}`, new Headers(init?.headers).get('authorization')]);
        return fetch(input, init);
      },
    });
    assert.equal((await client.fetch('/api/users/me')).status, 401); // token_missing, passed on
    await client.register({ email: uniqueEmail('origin'), password: PASSWORD });
    const elsewhere = server.base.replace('127.0.0.1', 'localhost');
    assert.equal((await client.fetch(`${elsewhere}/api/users/me`)).status, 401);
    assert.deepEqual(
      seen.filter(([url]) => url.endsWith('/users/me')).map(([, auth]) => auth),
      [null, null],
    );
  });
});

describe('refresh on expiry', () => {
  for (const proactiveRefresh of [false, true]) {
    const path = proactiveRefresh ? 'before sending (proactive)' : 'after 401 token_expired';
    it(`20 concurrent calls after the expiry: all 200, exactly one refresh (${path})`, async () => {
      const { client, counter, user } = await loggedIn({ proactiveRefresh });
      const before = await client.getTokens();
      await untilExpired(client);
      const statuses = [];
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          client.fetch('/api/users/me').then(async (res) => {
            statuses.push(res.status);
            return res.json();
          }),
        ),
      );
      assert.deepEqual(statuses, Array(20).fill(200));
      assert.ok(results.every((body) => body.id === user.id));
      assert.equal(counter.refreshes, 1);
      assert.deepEqual(counter.refreshStatuses, [200]);
      // register + refresh + the calls; without the proactive check each of the 20 first met
      // a 401 and was retried once.
      assert.equal(counter.calls, 2 + (proactiveRefresh ? 20 : 40));
      const after = await client.getTokens();
      assert.notEqual(after.refreshToken, before.refreshToken);
      const seen = await serverSide(client, user);
      assert.equal(seen.refreshes, 1);
      assert.equal(seen.reuse, 0);
      assert.equal(seen.sessions.length, 1);
      assert.equal(seen.sessions[0].current, true);
    });
  }

  it('20 calls spread across the expiry share one refresh', async () => {
    const { client, counter, user } = await loggedIn({ proactiveRefresh: false });
    const { expiresAt } = await client.getTokens();
    await sleep(expiresAt - Date.now() - 500);
    // One call every 50 ms from 0.5 s before the expiry to 0.5 s after it.
    const calls = [];
    for (let i = 0; i < 20; i++) {
      calls.push(client.fetch('/api/users/me').then((res) => res.status));
      await sleep(50);
    }
    assert.deepEqual(await Promise.all(calls), Array(20).fill(200));
    assert.equal(counter.refreshes, 1);
    const seen = await serverSide(client, user);
    assert.equal(seen.refreshes, 1);
    assert.equal(seen.reuse, 0);
  });

  it('keeps the tokens when the refresh fails for a reason other than the session', async () => {
    let failRefresh = true;
    const { client, counter } = await loggedIn({
      proactiveRefresh: false,
      innerFetch: (input, init) =>
        failRefresh && `${input}`.endsWith('/refresh')
          ? Promise.resolve(
              new Response(JSON.stringify({ statusCode: 503, code: 'service_unavailable' }), {
                status: 503,
              }),
            )
          : fetch(input, init),
    });
    const stored = await client.getTokens();
    await untilExpired(client);
    await assert.rejects(client.fetch('/api/users/me'), { code: 'service_unavailable' });
    assert.deepEqual(await client.getTokens(), stored);
    failRefresh = false;
    assert.equal((await client.fetch('/api/users/me')).status, 200);
    assert.equal(counter.refreshes, 2);
  });
});

describe('the session is over', () => {
  it('refresh_token_revoked: 20 calls, one refresh, tokens cleared, loginRequired once', async () => {
    const { client, counter, user } = await loggedIn({ proactiveRefresh: false });
    const events = [];
    client.on('loginRequired', (error) => events.push(error));
    // Another device logs out everywhere; this client's access token then expires.
    const other = createAuthClient({ baseUrl: server.base });
    await other.login({ email: user.email, password: PASSWORD });
    await other.logoutAll();
    await untilExpired(client);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => client.fetch('/api/users/me')),
    );
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      assert.ok(result.reason instanceof LoginRequiredError);
      assert.equal(result.reason.code, 'refresh_token_revoked');
    }
    assert.equal(counter.refreshes, 1);
    assert.equal(events.length, 1);
    assert.equal(events[0].code, 'refresh_token_revoked');
    assert.equal(await client.getTokens(), null);
    // Logged out: calls go out without a token, and no further loginRequired.
    assert.equal((await client.fetch('/api/users/me')).status, 401);
    assert.equal(events.length, 1);
    assert.equal(counter.refreshes, 1);
  });

  it('token_revoked on a live access token: cleared, loginRequired once, no refresh', async () => {
    const { client, counter, user } = await loggedIn();
    const events = [];
    client.on('loginRequired', (error) => events.push(error.code));
    const other = createAuthClient({ baseUrl: server.base });
    await other.login({ email: user.email, password: PASSWORD });
    await other.logoutAll();
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => client.fetch('/api/users/me')),
    );
    assert.deepEqual(
      results.map((result) => result.reason?.code),
      Array(5).fill('token_revoked'),
    );
    assert.deepEqual(events, ['token_revoked']);
    assert.equal(counter.refreshes, 0);
    assert.equal(await client.getTokens(), null);
  });

  it('refresh_token_invalid (a damaged stored token): cleared, loginRequired', async () => {
    const storage = memoryStorage();
    const { client } = await loggedIn({ storage, proactiveRefresh: false });
    const key = `nest-auth:${server.base}`;
    const stored = JSON.parse(storage.get(key));
    storage.set(key, JSON.stringify({ ...stored, refreshToken: 'not-a-token' }));
    const events = [];
    client.on('loginRequired', (error) => events.push(error.code));
    await untilExpired(client);
    await assert.rejects(client.fetch('/api/users/me'), { code: 'refresh_token_invalid' });
    assert.deepEqual(events, ['refresh_token_invalid']);
    assert.equal(storage.get(key), null);
  });

  it('a new login after loginRequired is used, and can end (and be announced) again', async () => {
    const { client, user } = await loggedIn();
    const events = [];
    client.on('loginRequired', (error) => events.push(error.code));
    await client.logoutAll();
    await client.login({ email: user.email, password: PASSWORD });
    assert.equal((await client.fetch('/api/users/me')).status, 200);
    const other = createAuthClient({ baseUrl: server.base });
    await other.login({ email: user.email, password: PASSWORD });
    await other.logoutAll();
    await assert.rejects(client.fetch('/api/users/me'), LoginRequiredError);
    assert.deepEqual(events, ['token_revoked']);
  });
});

describe('logout, logoutAll', () => {
  it('logout ends the session on the server and clears storage', async () => {
    const storage = memoryStorage();
    const { client } = await loggedIn({ storage });
    const seen = [];
    client.on('tokens', (tokens) => seen.push(tokens));
    const loginRequired = [];
    client.on('loginRequired', (error) => loginRequired.push(error));
    const { refreshToken, accessToken } = await client.getTokens();
    await client.logout();
    assert.equal(await client.getTokens(), null);
    assert.equal(storage.get(`nest-auth:${server.base}`), null);
    assert.deepEqual(seen, [null]);
    const refresh = await call(server.base, 'POST', '/api/auth/refresh', {
      body: { refreshToken },
    });
    assert.equal(refresh.body.code, 'refresh_token_revoked');
    const me = await call(server.base, 'GET', '/api/users/me', { token: accessToken });
    assert.equal(me.body.code, 'token_revoked');
    await client.logout(); // logged out already: nothing to do, no error
    assert.deepEqual(loginRequired, []);
  });

  it('logoutAll ends every session of the user and clears storage', async () => {
    const { client, user } = await loggedIn();
    const second = createAuthClient({ baseUrl: server.base });
    await second.login({ email: user.email, password: PASSWORD });
    const secondTokens = await second.getTokens();
    await client.logoutAll();
    assert.equal(await client.getTokens(), null);
    const me = await call(server.base, 'GET', '/api/users/me', { token: secondTokens.accessToken });
    assert.equal(me.body.code, 'token_revoked');
    const events = [];
    second.on('loginRequired', (error) => events.push(error.code));
    await assert.rejects(second.fetch('/api/users/me'), { code: 'token_revoked' });
    assert.deepEqual(events, ['token_revoked']);
    assert.equal(await second.getTokens(), null);
  });

  it('logoutAll with an expired access token refreshes first', async () => {
    const { client, counter, user } = await loggedIn({ proactiveRefresh: false });
    await untilExpired(client);
    await client.logoutAll();
    assert.equal(counter.refreshes, 1);
    assert.equal(await client.getTokens(), null);
    assert.equal((await server.events('auth.logout_all', user.id)).length, 1);
  });
});

describe('cookie mode', () => {
  it('never stores the refresh token; 20 calls after expiry share one refresh', async () => {
    const storage = memoryStorage();
    const { client, counter, user } = await loggedIn({
      storage,
      refreshTokenIn: 'cookie',
      proactiveRefresh: false,
      innerFetch: cookieJar().fetch,
    });
    assert.equal((await client.getTokens()).refreshToken, null);
    await untilExpired(client);
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () => client.fetch('/api/users/me').then((res) => res.status)),
    );
    assert.deepEqual(statuses, Array(20).fill(200));
    assert.equal(counter.refreshes, 1);
    assert.equal((await client.getTokens()).refreshToken, null);
    assert.equal((await server.events('auth.refresh', user.id)).length, 1);
    await client.logout();
    assert.equal(await client.getTokens(), null);
    const ended = await server.events('auth.logout', user.id);
    assert.equal(ended.length, 1);
    assert.equal(ended[0].ended, true);
  });
});
