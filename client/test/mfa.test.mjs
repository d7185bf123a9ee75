// Logins with a second factor against the real server: users enrol TOTP through the API
// (setup, then confirm with a code computed here from the secret), then log in through the
// client, which meets the challenge and completes it with POST /api/auth/mfa/verify.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AuthError,
  MfaCodeInvalidError,
  MfaRequiredError,
  MfaTokenInvalidError,
  StepUpRequiredError,
  createAuthClient,
  memoryStorage,
} from '../dist/index.js';
import { PASSWORD, call, cookieJar, startServer, uniqueEmail } from './harness.mjs';
import { authenticator, totp } from './totp.mjs';

let server;
before(async () => {
  server = await startServer({ ACCESS_TOKEN_TTL: '60s' });
});
after(() => server?.stop());

/**
 * A registered user with TOTP enrolled through the client: its email, codes, recovery codes,
 * and `earlier`, a client logged in by password alone before the factor existed.
 */
async function enrolled() {
  const email = uniqueEmail('mfa');
  const client = createAuthClient({ baseUrl: server.base });
  const user = await client.register({ email, password: PASSWORD });
  const earlier = createAuthClient({ baseUrl: server.base });
  await earlier.login({ email, password: PASSWORD });
  const setup = await client.setupTotp();
  assert.match(setup.secret, /^[A-Z2-7]{16,}=*$/);
  assert.equal(new URL(setup.otpauthUrl).searchParams.get('secret'), setup.secret);
  assert.match(setup.qrCodeDataUrl, /^data:image\/png;base64,/);
  const app = authenticator(setup.secret);
  const recoveryCodes = await client.confirmTotp(await app.next());
  assert.equal(recoveryCodes.length, 10);
  return { email, user, app, recoveryCodes, earlier };
}

/** The challenge a login without onMfaRequired rejects with. */
async function challengeOf(client, email) {
  let challenge;
  await assert.rejects(client.login({ email, password: PASSWORD }), (error) => {
    assert.ok(error instanceof MfaRequiredError);
    assert.ok(error instanceof AuthError);
    assert.equal(error.code, 'mfa_required');
    challenge = error.challenge;
    return true;
  });
  return challenge;
}

describe('the TOTP helper', () => {
  it('matches RFC 6238 appendix B (SHA-1, T = 59 s and 1111111109 s, last 6 digits)', () => {
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // "12345678901234567890"
    assert.equal(totp(secret, 1), '287082');
    assert.equal(totp(secret, Math.floor(1111111109 / 30)), '081804');
  });
});

describe('login with a second factor', () => {
  it('login rejects with the challenge and stores nothing; verifyMfa stores the pair', async () => {
    const { email, user, app } = await enrolled();
    const storage = memoryStorage();
    const client = createAuthClient({ baseUrl: server.base, storage });
    const seen = [];
    client.on('tokens', (tokens) => seen.push(tokens));
    const challenge = await challengeOf(client, email);
    assert.match(challenge.mfaToken, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(challenge.methods, ['totp', 'recovery_code']);
    assert.equal(challenge.expiresIn, 300);
    assert.ok(Math.abs(challenge.expiresAt - (Date.now() + 300_000)) < 5000);
    assert.equal(await client.getTokens(), null);
    assert.deepEqual(seen, []);
    assert.equal((await client.fetch('/api/users/me')).status, 401);

    const verified = await client.verifyMfa(challenge, { code: await app.next() });
    assert.equal(verified.id, user.id);
    assert.equal(verified.email, email);
    const stored = JSON.parse(storage.get(`nest-auth:${server.base}`));
    assert.match(stored.accessToken, /^eyJ/);
    assert.equal(typeof stored.refreshToken, 'string');
    assert.deepEqual(seen, [stored]);
    const me = await client.fetch('/api/users/me');
    assert.equal(me.status, 200);
    assert.equal((await me.json()).id, user.id);
    // The access token says how the session was proven.
    const claims = JSON.parse(Buffer.from(stored.accessToken.split('.')[1], 'base64url'));
    assert.deepEqual(claims.amr, ['pwd', 'otp']);
    // And the session refreshes like any other.
    const refreshed = await client.refresh();
    assert.notEqual(refreshed.refreshToken, stored.refreshToken);
    assert.equal((await client.fetch('/api/users/me')).status, 200);
  });

  it('a wrong code is MfaCodeInvalidError, nothing is stored, and the challenge still works', async () => {
    const { email, app } = await enrolled();
    const client = createAuthClient({ baseUrl: server.base });
    const challenge = await challengeOf(client, email);
    await assert.rejects(client.verifyMfa(challenge, { code: app.wrong() }), (error) => {
      assert.ok(error instanceof MfaCodeInvalidError);
      assert.ok(error instanceof AuthError);
      assert.equal(error.status, 401);
      assert.equal(error.code, 'mfa_code_invalid');
      assert.equal(typeof error.body.requestId, 'string');
      return true;
    });
    assert.equal(await client.getTokens(), null);
    await client.verifyMfa(challenge.mfaToken, { code: await app.next() });
    assert.equal((await client.fetch('/api/users/me')).status, 200);
  });

  it('a used challenge and a replayed code are refused with their own errors', async () => {
    const { email, app } = await enrolled();
    const client = createAuthClient({ baseUrl: server.base });
    const challenge = await challengeOf(client, email);
    const code = await app.next();
    await client.verifyMfa(challenge, { code });
    const first = await client.getTokens();
    // The challenge is checked before the code.
    await assert.rejects(client.verifyMfa(challenge, { code: app.wrong() }), (error) => {
      assert.ok(error instanceof MfaTokenInvalidError);
      assert.equal(error.status, 401);
      assert.equal(error.code, 'mfa_token_invalid');
      return true;
    });
    const second = await challengeOf(createAuthClient({ baseUrl: server.base }), email);
    await assert.rejects(client.verifyMfa(second, { code }), MfaCodeInvalidError);
    // A failed verify leaves the session it had alone.
    assert.deepEqual(await client.getTokens(), first);
  });

  it('the 6th wrong code meets a voided challenge (MfaTokenInvalidError)', async () => {
    const { email, app } = await enrolled();
    const client = createAuthClient({ baseUrl: server.base });
    const challenge = await challengeOf(client, email);
    const codes = [];
    for (let i = 0; i < 6; i++) {
      codes.push(
        await client.verifyMfa(challenge, { code: app.wrong() }).catch((error) => error.code),
      );
    }
    assert.deepEqual(codes, [...Array(5).fill('mfa_code_invalid'), 'mfa_token_invalid']);
    await assert.rejects(client.verifyMfa(challenge, { code: await app.next() }), {
      name: 'MfaTokenInvalidError',
    });
    assert.equal(await client.getTokens(), null);
  });

  it('a recovery code works once', async () => {
    const { email, user, recoveryCodes } = await enrolled();
    const client = createAuthClient({ baseUrl: server.base });
    const challenge = await challengeOf(client, email);
    assert.equal(
      (await client.verifyMfa(challenge, { recoveryCode: recoveryCodes[3] })).id,
      user.id,
    );
    assert.equal((await client.fetch('/api/users/me')).status, 200);
    const again = await challengeOf(client, email);
    await assert.rejects(
      client.verifyMfa(again, { recoveryCode: recoveryCodes[3] }),
      MfaCodeInvalidError,
    );
    assert.equal((await client.verifyMfa(again, { recoveryCode: recoveryCodes[4] })).id, user.id);
  });

  it('users without a second factor log in as before', async () => {
    const email = uniqueEmail('plain');
    await createAuthClient({ baseUrl: server.base }).register({ email, password: PASSWORD });
    let asked = 0;
    const client = createAuthClient({
      baseUrl: server.base,
      onMfaRequired: () => void asked++,
    });
    assert.equal((await client.login({ email, password: PASSWORD })).email, email);
    assert.equal(asked, 0);
    assert.equal((await client.fetch('/api/users/me')).status, 200);
  });
});

describe('onMfaRequired', () => {
  it('is asked for the code, again after a wrong one, and login resolves to the user', async () => {
    const { email, user, app } = await enrolled();
    const asked = [];
    const client = createAuthClient({
      baseUrl: server.base,
      onMfaRequired: async (challenge, retry) => {
        asked.push({
          methods: challenge.methods,
          retry: retry && [retry.attempt, retry.error.code],
        });
        return { code: retry ? await app.next() : app.wrong() };
      },
    });
    assert.equal((await client.login({ email, password: PASSWORD })).id, user.id);
    assert.deepEqual(asked, [
      { methods: ['totp', 'recovery_code'], retry: undefined },
      { methods: ['totp', 'recovery_code'], retry: [1, 'mfa_code_invalid'] },
    ]);
    assert.equal((await client.fetch('/api/users/me')).status, 200);
  });

  it('giving up (null) rejects with MfaRequiredError, whose challenge still completes', async () => {
    const { email, app } = await enrolled();
    const client = createAuthClient({ baseUrl: server.base, onMfaRequired: () => null });
    const challenge = await challengeOf(client, email);
    assert.equal(await client.getTokens(), null);
    await client.verifyMfa(challenge, { code: await app.next() });
    assert.equal((await client.fetch('/api/users/me')).status, 200);
  });

  it('a challenge voided by wrong codes ends the prompting with MfaTokenInvalidError', async () => {
    const { email, app } = await enrolled();
    let asked = 0;
    const client = createAuthClient({
      baseUrl: server.base,
      onMfaRequired: () => (asked++, { code: app.wrong() }),
    });
    await assert.rejects(client.login({ email, password: PASSWORD }), MfaTokenInvalidError);
    assert.equal(asked, 6);
    assert.equal(await client.getTokens(), null);
  });
});

describe('cookie mode', () => {
  it('verify sets the refresh cookie; the client stores no refresh token and refreshes', async () => {
    const { email, app } = await enrolled();
    const jar = cookieJar();
    const client = createAuthClient({
      baseUrl: server.base,
      refreshTokenIn: 'cookie',
      fetch: jar.fetch,
    });
    const challenge = await challengeOf(client, email);
    assert.equal(jar.cookie(), null, 'no refresh cookie before the second factor');
    await client.verifyMfa(challenge, { code: await app.next() });
    assert.equal((await client.getTokens()).refreshToken, null);
    assert.ok(jar.cookie());
    const before = (await client.getTokens()).accessToken;
    assert.notEqual((await client.refresh()).accessToken, before);
    assert.equal((await client.fetch('/api/users/me')).status, 200);
  });
});

describe('step-up and removal', () => {
  it('a password-only session gets StepUpRequiredError; reauthenticate with a code lifts it', async () => {
    const { email, app, earlier } = await enrolled();
    // `earlier` logged in by password before the factor existed (confirming proved the
    // enrolling session itself). The route refuses before it looks at the code.
    await assert.rejects(
      earlier.disableTotp({ password: PASSWORD, code: app.wrong() }),
      (error) => {
        assert.ok(error instanceof StepUpRequiredError);
        assert.equal(error.status, 401);
        assert.equal(error.code, 'mfa_required');
        return true;
      },
    );
    assert.ok(await earlier.getTokens(), 'a step-up refusal keeps the session');
    await earlier.reauthenticate({ password: PASSWORD, code: await app.next() });
    // Each time step counts once: this may wait for the next one (up to 30 s).
    await earlier.disableTotp({ password: PASSWORD, code: await app.next() });
    // Without the factor, login gives a token pair again.
    const client = createAuthClient({ baseUrl: server.base });
    assert.equal((await client.login({ email, password: PASSWORD })).email, email);
    const status = await call(server.base, 'POST', '/api/auth/mfa/verify', {
      body: { mfaToken: 'x'.repeat(43), code: '123456' },
    });
    assert.equal(status.body.code, 'mfa_token_invalid');
  });

  it('reauthenticate with a wrong code is MfaCodeInvalidError', async () => {
    const { app, earlier } = await enrolled();
    await assert.rejects(
      earlier.reauthenticate({ password: PASSWORD, code: app.wrong() }),
      MfaCodeInvalidError,
    );
  });
});
