// refresh_token_expired: a server whose refresh tokens live 2 s (REFRESH_TOKEN_TTL=2s).
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { LoginRequiredError, createAuthClient } from '../dist/index.js';
import { PASSWORD, countingFetch, sleep, startServer, uniqueEmail } from './harness.mjs';

let server;
before(async () => {
  server = await startServer({ ACCESS_TOKEN_TTL: '1s', REFRESH_TOKEN_TTL: '2s' });
});
after(() => server?.stop());

for (const proactiveRefresh of [false, true]) {
  it(`refresh_token_expired: 20 calls, one refresh, tokens cleared, loginRequired once (proactive: ${proactiveRefresh})`, async () => {
    const counter = countingFetch();
    const client = createAuthClient({
      baseUrl: server.base,
      fetch: counter.fetch,
      proactiveRefresh,
    });
    const events = [];
    client.on('loginRequired', (error) => events.push(error));
    const tokens = [];
    client.on('tokens', (value) => tokens.push(value));
    await client.register({ email: uniqueEmail('idle'), password: PASSWORD });
    await sleep(3100); // past the refresh token's idle lifetime
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => client.fetch('/api/users/me')),
    );
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      assert.ok(result.reason instanceof LoginRequiredError);
      assert.equal(result.reason.code, 'refresh_token_expired');
    }
    assert.equal(counter.refreshes, 1);
    assert.deepEqual(counter.refreshStatuses, [401]);
    assert.equal(events.length, 1);
    assert.equal(events[0].code, 'refresh_token_expired');
    assert.equal(await client.getTokens(), null);
    assert.equal(tokens.length, 2);
    assert.equal(tokens[1], null);
  });
}
