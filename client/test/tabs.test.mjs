// Two "tabs": two clients on one shared storage (like localStorage), refreshing at the same
// moment, round after round. The server runs with REFRESH_REUSE_GRACE=0, so a refresh token
// spent twice is not forgiven as a replay: it answers `refresh_token_reused` and revokes the
// session. The last test runs the same scenario without coordination and sees exactly that.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAuthClient } from '../dist/index.js';
import {
  FakeLockManager,
  PASSWORD,
  call,
  countingFetch,
  sharedStorage,
  startServer,
  uniqueEmail,
  untilExpired,
} from './harness.mjs';

const ROUNDS = 4; // ~2 s each (ACCESS_TOKEN_TTL=2s): every round crosses one expiry

let server;
before(async () => {
  server = await startServer({ ACCESS_TOKEN_TTL: '2s', REFRESH_REUSE_GRACE: '0' });
});
after(() => server?.stop());

async function twoTabs(options) {
  const storage = sharedStorage();
  const counter = countingFetch();
  const open = () =>
    createAuthClient({ baseUrl: server.base, storage, fetch: counter.fetch, ...options() });
  const tabs = [open(), open()];
  const loginRequired = [];
  tabs.forEach((tab, index) =>
    tab.on('loginRequired', (error) => loginRequired.push([index, error.code])),
  );
  const user = await tabs[0].register({ email: uniqueEmail('tabs'), password: PASSWORD });
  return {
    tabs,
    storage,
    counter,
    user,
    loginRequired,
    close: () => tabs.forEach((t) => t.close()),
  };
}

/** Each round: wait for the expiry, then 10 calls from each tab at once. */
async function refreshTogether({ tabs, counter, user, loginRequired }) {
  for (let round = 1; round <= ROUNDS; round++) {
    await untilExpired(tabs[0]);
    const before = counter.refreshes;
    const results = await Promise.allSettled(
      tabs.flatMap((tab) =>
        Array.from({ length: 10 }, () => tab.fetch('/api/users/me').then((res) => res.status)),
      ),
    );
    const outcomes = results.map((r) => (r.status === 'fulfilled' ? r.value : r.reason.code));
    assert.deepEqual(outcomes, Array(20).fill(200), `round ${round}`);
    assert.equal(counter.refreshes - before, 1, `round ${round}: refresh requests`);
  }
  assert.deepEqual(counter.refreshStatuses, Array(ROUNDS).fill(200));
  assert.deepEqual(loginRequired, []);
  // The server's view: one refresh per round, no reuse, the session alive.
  assert.equal((await server.events('auth.refresh', user.id)).length, ROUNDS);
  assert.equal((await server.events('auth.refresh.reuse_detected', user.id)).length, 0);
  const { accessToken } = await tabs[1].getTokens();
  const sessions = await call(server.base, 'GET', '/api/auth/sessions', { token: accessToken });
  assert.equal(sessions.status, 200);
  assert.equal(sessions.body.length, 1);
}

describe('two tabs sharing storage never trigger reuse detection', () => {
  it('with Web Locks (proactive refresh before sending)', async () => {
    const locks = new FakeLockManager();
    const setup = await twoTabs(() => ({ locks }));
    try {
      assert.deepEqual(
        setup.tabs.map((tab) => tab.coordination),
        ['locks', 'locks'],
      );
      await refreshTogether(setup);
      assert.ok(locks.granted >= ROUNDS, `lock granted ${locks.granted} times`);
    } finally {
      setup.close();
    }
  });

  it('with Web Locks (refresh after 401 token_expired)', async () => {
    const locks = new FakeLockManager();
    const setup = await twoTabs(() => ({ locks, proactiveRefresh: false }));
    try {
      await refreshTogether(setup);
    } finally {
      setup.close();
    }
  });

  it('with BroadcastChannel only (refresh after 401 token_expired)', async () => {
    const setup = await twoTabs(() => ({
      locks: null,
      broadcastChannel: (name) => new BroadcastChannel(name),
      proactiveRefresh: false,
    }));
    try {
      assert.deepEqual(
        setup.tabs.map((tab) => tab.coordination),
        ['broadcast', 'broadcast'],
      );
      await refreshTogether(setup);
    } finally {
      setup.close();
    }
  });

  it('with BroadcastChannel only (proactive refresh before sending)', async () => {
    const setup = await twoTabs(() => ({
      locks: null,
      broadcastChannel: (name) => new BroadcastChannel(name),
    }));
    try {
      await refreshTogether(setup);
    } finally {
      setup.close();
    }
  });
});

describe('logout in one tab', () => {
  it('the other tab sends no token and emits loginRequired once', async () => {
    const locks = new FakeLockManager();
    const { tabs, storage, loginRequired, close } = await twoTabs(() => ({ locks }));
    try {
      assert.equal((await tabs[1].fetch('/api/users/me')).status, 200);
      await tabs[0].logout();
      assert.equal(storage.map.size, 0);
      const res = await tabs[1].fetch('/api/users/me');
      assert.equal(res.status, 401);
      assert.equal((await res.json()).code, 'token_missing');
      await tabs[1].fetch('/api/users/me');
      assert.deepEqual(loginRequired, [[1, 'not_logged_in']]);
    } finally {
      close();
    }
  });
});

describe('control: the same two tabs without coordination', () => {
  it('spend one refresh token twice and get the session revoked', async () => {
    const setup = await twoTabs(() => ({ locks: null, broadcastChannel: null }));
    const { tabs, user, loginRequired, close } = setup;
    try {
      assert.deepEqual(
        tabs.map((tab) => tab.coordination),
        ['none', 'none'],
      );
      // Both tabs read the same refresh token and spend it; the loser's answer is
      // `refresh_token_reused`, or `token_revoked` when it had already picked up the winner's
      // tokens, which died with the session.
      const failures = [];
      for (let round = 1; round <= ROUNDS && failures.length === 0; round++) {
        await untilExpired(tabs[0]);
        const results = await Promise.allSettled(
          tabs.flatMap((tab) => Array.from({ length: 10 }, () => tab.fetch('/api/users/me'))),
        );
        for (const r of results) if (r.status === 'rejected') failures.push(r.reason.code);
      }
      assert.ok(
        failures.length > 0,
        'two uncoordinated tabs were expected to trip reuse detection',
      );
      assert.ok(failures.every((code) => ['refresh_token_reused', 'token_revoked'].includes(code)));
      assert.equal((await server.events('auth.refresh.reuse_detected', user.id)).length, 1);
      assert.ok(loginRequired.length >= 1);
      assert.equal(await tabs[0].getTokens(), null);
    } finally {
      close();
    }
  });
});
