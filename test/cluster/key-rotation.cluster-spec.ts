import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { KeyEncryption } from '../../src/keys/key-encryption';
import { privateKeyFromDer } from '../../src/keys/key-material';
import { callResource, ResourceServer, startResourceServer } from '../utils/resource-server';
import { BASE_TEST_ENV, TEST_KEY_ENCRYPTION_KEY } from '../utils/test-env';
import {
  call,
  claims,
  connect,
  countBy,
  freshDatabase,
  Instance,
  login,
  PASSWORD,
  refresh,
  register,
  report,
  ROOT,
  rows,
  sleep,
  startInstance,
  stopAll,
} from './harness';

const CLIENT = 'gateway:gateway-secret-0123456789-0123456789';
const ENV = {
  JWT_ALG: 'EdDSA',
  // Reloads every 3 s, so the pre-publication window is 6 s; tokens live 4 s, so retired keys
  // leave the JWKS within the test (4 s + 3 s + 10 s of clock margin after retiring).
  KEY_REFRESH_INTERVAL: '3s',
  ACCESS_TOKEN_TTL: '4s',
  INTROSPECTION_CLIENTS: CLIENT,
  LOG_LEVEL: 'info',
};
const CLIENTS = 8;
const LOAD_MS = 16_000;

const kidOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as { kid: string }).kid;

/** `npm run cli -- rotate-keys` against the cluster's database (the built CLI). */
async function rotateKeys(databaseUrl: string): Promise<string> {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [resolve(ROOT, 'dist/cli/main.js'), 'rotate-keys'],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...BASE_TEST_ENV, ...ENV, DATABASE_URL: databaseUrl },
      timeout: 60_000,
    },
  );
  return stdout + stderr;
}

describe('key rotation under load: two instances on MariaDB, a resource server per instance', () => {
  let databaseUrl: string;
  const instances: Instance[] = [];
  let servers: ResourceServer[] = [];

  beforeAll(async () => {
    databaseUrl = await freshDatabase('keys');
    // One after the other: the first makes the key set, the second finds it.
    instances.push(await startInstance('A', databaseUrl, ENV));
    instances.push(await startInstance('B', databaseUrl, ENV));
    // jose refetches on an unknown kid at most once per cooldown; it must stay below the
    // pre-publication window minus one reload interval (3 s here), as the README says.
    servers = await Promise.all(
      instances.map((instance) =>
        startResourceServer({ AUTH_URL: instance.base, AUTH_ALGS: 'EdDSA', JWKS_COOLDOWN: '2000' }),
      ),
    );
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await stopAll(instances);
  });

  it('has zero failed verifications and zero 5xx while rotate-keys runs twice', async () => {
    const seen: string[] = [];
    const statuses: number[] = [];
    const failures: string[] = [];
    const kidExpiry = new Map<string, number>(); // kid → latest exp of a token it signed
    const issuedBy = (token: string) => {
      const kid = kidOf(token);
      kidExpiry.set(kid, Math.max(kidExpiry.get(kid) ?? 0, claims(token).exp as number));
    };
    const jwksSnapshots: { at: number; instance: number; kids: string[] }[] = [];
    let verifications = 0;
    let refreshes = 0;
    const stopAt = Date.now() + LOAD_MS;

    const client = async (index: number) => {
      const email = `rotation-${index}-${Date.now()}@example.com`;
      let pair = await register(instances[index % 2], email);
      issuedBy(pair.accessToken);
      let round = 0;
      while (Date.now() < stopAt) {
        round++;
        const exp = claims(pair.accessToken).exp as number;
        // Near expiry, and now and then before: new tokens keep coming from both instances.
        if (exp * 1000 - Date.now() < 1_500 || Math.random() < 0.15) {
          const res = await refresh(instances[round % 2], pair.refreshToken);
          statuses.push(res.status);
          seen.push(JSON.stringify(res.body));
          if (res.status !== 200) {
            failures.push(`refresh ${res.status} ${JSON.stringify(res.body)}`);
            const again = await login(instances[round % 2], email, PASSWORD);
            if (again.status !== 200) throw new Error(`login ${again.status}`);
            pair = again.body;
          } else {
            pair = res.body;
          }
          refreshes++;
          issuedBy(pair.accessToken);
        }
        const server = servers[(index + round) % 2];
        const there = await callResource(server, '/hello', pair.accessToken);
        const here = await call(instances[(index + round + 1) % 2], 'GET', '/api/users/me', {
          token: pair.accessToken,
        });
        verifications += 2;
        statuses.push(there.status, here.status);
        seen.push(JSON.stringify(there.body), JSON.stringify(here.body));
        if (there.status !== 200) failures.push(`resource ${there.status} ${there.body.code}`);
        if (here.status !== 200) failures.push(`instance ${here.status} ${here.body?.code}`);
        await sleep(50);
      }
    };
    const watcher = async () => {
      while (Date.now() < stopAt + 20_000) {
        const instance = jwksSnapshots.length % 2;
        const res = await call(instances[instance], 'GET', '/.well-known/jwks.json');
        statuses.push(res.status);
        seen.push(JSON.stringify(res.body));
        if (res.status === 200) {
          jwksSnapshots.push({
            at: Date.now(),
            instance,
            kids: (res.body.keys as { kid: string }[]).map((key) => key.kid),
          });
        }
        await sleep(250);
      }
    };
    const rotations = (async () => {
      await sleep(3_000);
      const first = await rotateKeys(databaseUrl);
      // A second one right after: its next key was made by the first, a CLI start ago, well
      // within one reload interval. It signs only 6 s after it was made, and the key promoted
      // first signs until then.
      const second = await rotateKeys(databaseUrl);
      return [first, second];
    })();

    const watching = watcher();
    await Promise.all(Array.from({ length: CLIENTS }, (_, index) => client(index)));
    const cliOutput = await rotations;
    await watching;

    // The key that signed first, and its retirement.
    const db = await connect(databaseUrl);
    let stored: { id: string; state: string; private_key: string }[];
    try {
      stored = await rows(db, 'SELECT id, state, private_key FROM signing_keys');
    } finally {
      await db.end();
    }
    const kids = [...kidExpiry.keys()];
    // Once an instance published a key, its JWKS never dropped it while a token it signed was
    // unexpired (each instance on its own: one may load a new key a reload interval later).
    const early = kids.flatMap((kid) =>
      [0, 1].flatMap((instance) => {
        const own = jwksSnapshots.filter((snapshot) => snapshot.instance === instance);
        const first = own.findIndex((snapshot) => snapshot.kids.includes(kid));
        return own
          .slice(first < 0 ? own.length : first)
          .filter(({ kids: published }) => !published.includes(kid))
          .filter(({ at }) => (kidExpiry.get(kid) as number) * 1000 > at)
          .map(({ at }) => `${kid} missing from ${instance} at ${new Date(at).toISOString()}`);
      }),
    );
    const initial = kids[0];
    const finalKids = jwksSnapshots[jwksSnapshots.length - 1].kids;

    // No private key in any response, log line, CLI or resource-server output.
    const sealer = new KeyEncryption(Buffer.from(TEST_KEY_ENCRYPTION_KEY, 'hex'));
    const secrets = stored.flatMap((row) => {
      const jwk = privateKeyFromDer(sealer.open(row.private_key, row.id)).export({ format: 'jwk' });
      return [jwk.d as string, row.private_key];
    });
    const output = [
      ...seen,
      ...cliOutput,
      ...instances.map((instance) => instance.output.join('')),
      ...servers.map((server) => server.output()),
    ].join('\n');
    const leaks = secrets.filter((secret) => output.includes(secret));

    report('key-rotation', {
      clients: CLIENTS,
      seconds: LOAD_MS / 1000,
      verifications,
      refreshes,
      failedVerifications: failures.length,
      statuses: countBy(statuses),
      kidsSigned: kids.length,
      jwksSnapshots: jwksSnapshots.length,
      keysLeftStored: stored.length,
      initialKeyGoneFromJwks: !finalKids.includes(initial),
    });
    expect(cliOutput.join('\n')).toMatch(/rotated signing keys: \S+ signs from/);
    expect(failures).toEqual([]);
    expect(statuses.filter((status) => status >= 500 || status === 0)).toEqual([]);
    expect(verifications).toBeGreaterThan(200);
    // The initial key, the one promoted first, the one promoted second.
    expect(kids.length).toBeGreaterThanOrEqual(3);
    expect(early).toEqual([]);
    // …and it did leave once its last token had expired (retired + 4 s + 3 s + 10 s).
    expect(finalKids).not.toContain(initial);
    expect(output.length).toBeGreaterThan(10_000);
    expect(leaks).toEqual([]);
  });
});
