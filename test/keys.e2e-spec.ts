import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicKey, generateKeyPairSync, KeyObject, sign } from 'node:crypto';
import { KeyEncryption } from '../src/keys/key-encryption';
import { privateKeyFromDer } from '../src/keys/key-material';
import { KeySet } from '../src/keys/key-set.service';
import { bearer, decodeJwt, registerUser } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';
import { claims, forgeJwt, segment } from './utils/forge-jwt';
import { LogCapture } from './utils/log-capture';
import { callResource, ResourceServer, startResourceServer } from './utils/resource-server';
import { TEST_KEY_ENCRYPTION_KEY } from './utils/test-env';

type Alg = 'ES256' | 'EdDSA' | 'RS256';

function generate(alg: Alg) {
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519');
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** A compact JWS signed by hand with node:crypto (the app's own signer is not used). */
function signWith(alg: Alg, key: KeyObject, header: object, payload: object): string {
  const input = `${segment(header)}.${segment(payload)}`;
  const data = Buffer.from(input);
  const signature =
    alg === 'EdDSA'
      ? sign(null, data, key)
      : alg === 'ES256'
        ? sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })
        : sign('sha256', data, key);
  return `${input}.${signature.toString('base64url')}`;
}

async function listen(t: TestApp): Promise<string> {
  await t.app.listen(0, '127.0.0.1');
  const { port } = t.app.getHttpServer().address() as { port: number };
  return `http://127.0.0.1:${port}`;
}

/** Every private value of the stored keys: JWK private members and the PKCS#8 PEM body. */
async function privateMaterial(t: TestApp): Promise<string[]> {
  const rows: { id: string; private_key: string }[] = await t.dataSource.query(
    'SELECT id, private_key FROM signing_keys',
  );
  const sealer = new KeyEncryption(Buffer.from(TEST_KEY_ENCRYPTION_KEY, 'hex'));
  return rows.flatMap((row) => {
    const key = privateKeyFromDer(sealer.open(row.private_key, row.id));
    const jwk = key.export({ format: 'jwk' }) as Record<string, string>;
    const pem = (key.export({ format: 'pem', type: 'pkcs8' }) as string)
      .split('\n')
      .filter((line) => line && !line.startsWith('-----'));
    const members = ['d', 'p', 'q', 'dp', 'dq', 'qi'].map((m) => jwk[m]).filter(Boolean);
    return [...members, ...pem, row.private_key];
  });
}

const OTHER_ALG: Record<Alg, Alg> = { ES256: 'EdDSA', EdDSA: 'ES256', RS256: 'ES256' };

describe.each<Alg>(['ES256', 'EdDSA', 'RS256'])('JWT_ALG=%s', (alg) => {
  const logs = new LogCapture();
  const seen: string[] = [];
  let t: TestApp;
  let base: string;
  let rs: ResourceServer;

  /** GETs a public path of this server over HTTP and keeps what came back for the leak check. */
  const get = async (path: string, token?: string) => {
    const res = await t
      .http()
      .get(path)
      .set(token ? bearer(token) : {});
    seen.push(JSON.stringify(res.headers), res.text);
    return res;
  };
  const resource = async (path: string, token?: string) => {
    const res = await callResource(rs, path, token);
    seen.push(JSON.stringify(res.body));
    return res;
  };

  beforeAll(async () => {
    t = await createTestApp({ JWT_ALG: alg, KEY_REFRESH_INTERVAL: '1s' }, { logs });
    base = await listen(t);
    // Cooldown 0: the resource server refetches the JWKS at once on a kid it does not know.
    rs = await startResourceServer({ AUTH_URL: base, AUTH_ALGS: alg, JWKS_COOLDOWN: '0' });
  });

  afterAll(async () => {
    await rs?.stop();
    await t?.close();
  });

  it('signs access tokens with the configured algorithm and a kid that the JWKS publishes', async () => {
    const { pair } = await registerUser(t.http);
    const header = JSON.parse(Buffer.from(pair.accessToken.split('.')[0], 'base64url').toString());
    expect(header).toEqual({ alg, typ: 'at+jwt', kid: expect.any(String) });

    const jwks = await get('/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.headers['cache-control']).toBe('public, max-age=1');
    const kids = jwks.body.keys.map((key: { kid: string }) => key.kid);
    expect(kids).toContain(header.kid);
    expect(kids).toHaveLength(2); // current and next
    for (const key of jwks.body.keys) {
      expect(key).toMatchObject({ alg, use: 'sig' });
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi'])
        expect(key).not.toHaveProperty(member);
    }
    expect((await get('/api/users/me', pair.accessToken)).status).toBe(200);
  });

  it('is verified by the sample resource server through the JWKS alone (a real process, jose)', async () => {
    const { pair } = await registerUser(t.http);
    const res = await resource('/hello', pair.accessToken);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      sub: pair.user.id,
      alg,
      sid: decodeJwt(pair.accessToken).sid,
    });
  });

  it('refuses forgeries with token_invalid, here and at the resource server', async () => {
    const { pair } = await registerUser(t.http);
    const real = decodeJwt(pair.accessToken);
    const kid = JSON.parse(Buffer.from(pair.accessToken.split('.')[0], 'base64url').toString())
      .kid as string;
    const body = claims({ sub: real.sub, sid: real.sid, roles: real.roles, jti: 'x' });
    const jwks = (await get('/.well-known/jwks.json')).body.keys as { kid: string }[];
    const publicKey = createPublicKey({
      key: jwks.find((k) => k.kid === kid) as never,
      format: 'jwk',
    });
    const other = OTHER_ALG[alg];
    const forgeries: Record<string, string> = {
      'alg switched': signWith(
        other,
        generate(other).privateKey,
        { alg: other, typ: 'at+jwt', kid },
        body,
      ),
      'kid unknown': signWith(
        alg,
        generate(alg).privateKey,
        { alg, typ: 'at+jwt', kid: 'no-such-kid' },
        body,
      ),
      'key of another JWKS, our kid': signWith(
        alg,
        generate(alg).privateKey,
        { alg, typ: 'at+jwt', kid },
        body,
      ),
      'HS256 with the public key (PEM)': forgeJwt({ alg: 'HS256', typ: 'at+jwt', kid }, body, {
        hmac: 'sha256',
        key: publicKey.export({ format: 'pem', type: 'spki' }) as string,
      }),
      'HS256 with the public key (DER)': forgeJwt({ alg: 'HS256', typ: 'at+jwt', kid }, body, {
        hmac: 'sha256',
        key: publicKey.export({ format: 'der', type: 'spki' }),
      }),
      'alg none': forgeJwt({ alg: 'none', typ: 'at+jwt', kid }, body, { none: true }),
      'signature of another token': `${pair.accessToken.split('.').slice(0, 2).join('.')}.${
        (await registerUser(t.http)).pair.accessToken.split('.')[2]
      }`,
    };
    for (const [name, token] of Object.entries(forgeries)) {
      const here = await get('/api/users/me', token);
      expect({ name, status: here.status, code: here.body.code }).toEqual({
        name,
        status: 401,
        code: 'token_invalid',
      });
      const there = await resource('/hello', token);
      expect({ name, status: there.status, code: there.body.code }).toEqual({
        name,
        status: 401,
        code: 'token_invalid',
      });
    }
    // The genuine token still works: the refusals were about the forgeries.
    expect((await get('/api/users/me', pair.accessToken)).status).toBe(200);
  });

  it('answers token_expired for a genuine token past exp, token_invalid for a forged one', async () => {
    const { pair } = await registerUser(t.http);
    const real = decodeJwt(pair.accessToken);
    const header = JSON.parse(Buffer.from(pair.accessToken.split('.')[0], 'base64url').toString());
    const past = claims({ sub: real.sub, sid: real.sid, jti: 'y' }, { exp: real.iat - 60 });
    // Signed by the server's own signing key: genuine, but expired.
    const genuine = t.app.get(KeySet).sign(past);
    expect((await get('/api/users/me', genuine)).body.code).toBe('token_expired');
    expect((await resource('/hello', genuine)).body.code).toBe('token_expired');
    const forged = signWith(alg, generate(alg).privateKey, header, past);
    expect((await get('/api/users/me', forged)).body.code).toBe('token_invalid');
    expect((await resource('/hello', forged)).body.code).toBe('token_invalid');
  });

  it('answers a repeated token from its verified-token cache, but the session still ends at once', async () => {
    const { pair } = await registerUser(t.http);
    for (let i = 0; i < 3; i++)
      expect((await get('/api/users/me', pair.accessToken)).status).toBe(200);
    // A copy that differs in one signature character is no cache hit: verified, and refused.
    const sig = pair.accessToken.split('.')[2];
    const flipped = `${sig.slice(0, 5)}${sig[5] === 'A' ? 'B' : 'A'}${sig.slice(6)}`;
    const tampered = `${pair.accessToken.split('.').slice(0, 2).join('.')}.${flipped}`;
    expect((await get('/api/users/me', tampered)).body.code).toBe('token_invalid');
    // The cache holds the signature check only: the session is looked up on every call.
    await t.http().post('/api/auth/logout').send({ refreshToken: pair.refreshToken }).expect(204);
    const after = await get('/api/users/me', pair.accessToken);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('token_revoked');
  });

  it('rotates without a failed verification: old and new tokens verify here and there', async () => {
    const keySet = t.app.get(KeySet);
    const before = await registerUser(t.http);
    const kidOf = (token: string) =>
      JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid as string;
    // The next key made at start is now older than the pre-publication window (2 s here).
    t.clock.advance(3);
    const first = await keySet.rotate('test');
    expect(first?.promoted.activatesAt?.getTime()).toBeLessThanOrEqual(t.clock.now().getTime());
    // Immediately again: that next key was published a moment ago, so it signs only after
    // the pre-publication window, and the key promoted first signs until then.
    const second = await keySet.rotate('test');
    expect(second?.retired).toEqual([first?.promoted.id]);
    expect(second?.promoted.activatesAt?.getTime()).toBeGreaterThan(t.clock.now().getTime());
    const during = await registerUser(t.http);
    expect(kidOf(during.pair.accessToken)).toBe(first?.promoted.id);
    t.clock.advance(3);
    const after = await registerUser(t.http);
    expect(kidOf(after.pair.accessToken)).toBe(second?.promoted.id);
    for (const { pair } of [before, during, after]) {
      expect((await get('/api/users/me', pair.accessToken)).status).toBe(200);
      expect((await resource('/hello', pair.accessToken)).status).toBe(200);
    }
    const kids = (await get('/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid);
    expect(kids).toEqual(
      expect.arrayContaining([kidOf(before.pair.accessToken), first?.promoted.id, second?.next.id]),
    );
  });

  it('never shows a private key in a response, a log line or the resource server output', async () => {
    await registerUser(t.http);
    const secrets = await privateMaterial(t);
    expect(secrets.length).toBeGreaterThan(4);
    const everything = [logs.text(), rs.output(), ...seen].join('\n');
    expect(everything.length).toBeGreaterThan(1000);
    for (const secret of secrets) expect(everything.includes(secret)).toBe(false);
  });
});

describe('JWT_ALG=HS256 (the default)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('publishes an empty JWKS, never the secret, and a kid in the header', async () => {
    const jwks = await t.http().get('/.well-known/jwks.json').expect(200);
    expect(jwks.body).toEqual({ keys: [] });
    const { pair } = await registerUser(t.http);
    const header = JSON.parse(Buffer.from(pair.accessToken.split('.')[0], 'base64url').toString());
    expect(header).toEqual({ alg: 'HS256', typ: 'at+jwt', kid: expect.stringMatching(/^hs256-/) });
    const meta = await t.http().get('/.well-known/oauth-authorization-server').expect(200);
    expect(meta.body.access_token_signing_alg_values_supported).toEqual(['HS256']);
    const rows = await t.dataSource.query('SELECT COUNT(*) AS n FROM signing_keys');
    expect(Number(rows[0].n)).toBe(0);
  });

  it('serves RFC 8414 metadata with absolute URLs from PUBLIC_URL', async () => {
    const other = await createTestApp({ PUBLIC_URL: 'https://auth.example.com/' });
    try {
      const meta = await other.http().get('/.well-known/oauth-authorization-server').expect(200);
      expect(meta.body).toMatchObject({
        issuer: 'nest-auth-service',
        jwks_uri: 'https://auth.example.com/.well-known/jwks.json',
        introspection_endpoint: 'https://auth.example.com/api/oauth/introspect',
        revocation_endpoint: 'https://auth.example.com/api/oauth/revoke',
        introspection_endpoint_auth_methods_supported: ['client_secret_basic'],
      });
    } finally {
      await other.close();
    }
  });

  it('an HS256 token signed with the access secret is refused once JWT_ALG is asymmetric', async () => {
    const asym = await createTestApp({ JWT_ALG: 'EdDSA' });
    try {
      const { pair } = await registerUser(t.http); // HS256, from the other app
      const res = await asym.http().get('/api/users/me').set(bearer(pair.accessToken));
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('token_invalid');
    } finally {
      await asym.close();
    }
  });
});

describe('scheduled rotation (KEY_ROTATION_INTERVAL) and removal of expired keys', () => {
  const logs = new LogCapture();
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(
      {
        JWT_ALG: 'ES256',
        KEY_REFRESH_INTERVAL: '1s',
        KEY_ROTATION_INTERVAL: '2s',
        ACCESS_TOKEN_TTL: '60s',
      },
      { logs },
    );
  });
  afterAll(() => t.close());

  const stored = () =>
    t.dataSource.query<{ id: string; state: string }[]>('SELECT id, state FROM signing_keys');
  /** Waits (real time) for the next reload tick to have run after the clock moved. */
  const nextTick = () => new Promise((ok) => setTimeout(ok, 1_300));

  it('rotates once the current key has signed for the interval, audited as the scheduler', async () => {
    const first = t.app.get(KeySet).signingKey().kid;
    await nextTick();
    // Real time moved ~1.3 s of the 2 s interval: nothing yet.
    expect(t.app.get(KeySet).signingKey().kid).toBe(first);
    t.clock.advance(3);
    await nextTick();
    const second = t.app.get(KeySet).signingKey().kid;
    expect(second).not.toBe(first);
    const [event] = logs.events('keys.rotated');
    expect(event).toMatchObject({ actorId: 'scheduler', promoted: second, retired: [first] });
    const states = await stored();
    expect(states.find((row) => row.id === first)?.state).toBe('retired');
    expect(states.filter((row) => row.state === 'next')).toHaveLength(1);
  });

  it('deletes a retired key, and drops it from the JWKS, once its last token has expired', async () => {
    const retired = (await stored()).filter((row) => row.state === 'retired').map((row) => row.id);
    expect(retired.length).toBeGreaterThan(0);
    const jwks = async () =>
      (await t.http().get('/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid);
    expect(await jwks()).toEqual(expect.arrayContaining(retired));
    // Past ACCESS_TOKEN_TTL (60 s) + KEY_REFRESH_INTERVAL (1 s) + 10 s after it retired. The
    // scheduler rotates again meanwhile: those keys retired later and stay.
    t.clock.advance(75);
    await nextTick();
    const ids = (await stored()).map((row) => row.id);
    for (const kid of retired) expect(ids).not.toContain(kid);
    const published = await jwks();
    for (const kid of retired) expect(published).not.toContain(kid);
    expect(published.length).toBeGreaterThanOrEqual(2);
  });
});

describe('KEY_ENCRYPTION_KEY', () => {
  it('a start with another key-encryption key than the keys were sealed with fails, naming the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kek-e2e-'));
    const env = { JWT_ALG: 'EdDSA', DATABASE_URL: `sqlite:${join(dir, 'auth.sqlite')}` };
    try {
      const first = await createTestApp(env);
      const { pair } = await registerUser(first.http);
      expect(pair.accessToken).toBeTruthy();
      await first.close();
      await expect(createTestApp({ ...env, KEY_ENCRYPTION_KEY: 'aa'.repeat(32) })).rejects.toThrow(
        /cannot decrypt it \(KEY_ENCRYPTION_KEY differs/,
      );
      // The right key still opens them.
      const again = await createTestApp(env);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
