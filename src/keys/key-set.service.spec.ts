import { randomBytes } from 'node:crypto';
import { AuditLog } from '../common/audit/audit-log.service';
import { loadKeysConfig } from '../config/keys.config';
import { KeyEncryption } from './key-encryption';
import { generateSigningKey } from './key-material';
import { KeySet } from './key-set.service';
import { KeyStore } from './key-store';
import { SigningKey, SigningKeyState } from './signing-key.entity';

const KEK = randomBytes(32);
const sealer = new KeyEncryption(KEK);
const NOW = new Date('2026-12-01T12:00:00.000Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

function row(state: SigningKeyState, activatesAt: Date | null, retiredAt: Date | null = null) {
  const key = generateSigningKey('EdDSA');
  return Object.assign(new SigningKey(), {
    id: key.kid,
    algorithm: 'EdDSA',
    state,
    publicJwk: JSON.stringify(key.publicJwk),
    privateKey: sealer.seal(key.privateDer, key.kid),
    createdAt: at(-3600),
    activatesAt,
    retiredAt,
  });
}

/** A key set over rows held in memory (the store's SQL is covered by the e2e specs). */
function keySetOver(rows: SigningKey[], now = NOW) {
  const config = loadKeysConfig({ JWT_ALG: 'EdDSA', KEY_ENCRYPTION_KEY: KEK.toString('hex') });
  const loads = { count: 0 };
  const store = {
    load: () => {
      loads.count++;
      return Promise.resolve(rows);
    },
    openPrivateKey: (r: SigningKey) => sealer.open(r.privateKey, r.id),
    // ACCESS_TOKEN_TTL 15 min + KEY_REFRESH_INTERVAL 60 s + 10 s.
    publishedUntilCutoff: (date: Date) => new Date(date.getTime() - (900 + 60 + 10) * 1000),
  } as unknown as KeyStore;
  const clock = { now: () => now };
  const audit = { record: () => undefined } as unknown as AuditLog;
  return { keySet: new KeySet(config, store, clock, audit), loads };
}

describe('KeySet', () => {
  it('signs with the key whose activation is the latest that has passed', async () => {
    const old = row('retired', at(-600), at(-60));
    const current = row('current', at(-60));
    const pending = row('current', at(30)); // promoted, not yet past its pre-publication
    const next = row('next', null);
    const { keySet } = keySetOver([old, pending, current, next]);
    await keySet.reload();
    expect(keySet.signingKey().kid).toBe(current.id);
    const token = keySet.sign({ sub: 'u' });
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
    expect(header).toEqual({ alg: 'EdDSA', typ: 'at+jwt', kid: current.id });
  });

  it('keeps signing with the key a pending successor replaces, until the successor is due', async () => {
    const previous = row('retired', at(-600), at(30));
    const pending = row('current', at(30));
    const { keySet } = keySetOver([previous, pending]);
    await keySet.reload();
    expect(keySet.signingKey().kid).toBe(previous.id);
    const later = keySetOver([previous, pending], at(31)).keySet;
    await later.reload();
    expect(later.signingKey().kid).toBe(pending.id);
  });

  it('publishes next, current and retired keys until their last token expired, never a private member', async () => {
    const gone = row('retired', at(-7200), at(-971));
    const kept = row('retired', at(-7200), at(-969));
    const current = row('current', at(-969));
    const next = row('next', null);
    const { keySet } = keySetOver([gone, kept, current, next]);
    await keySet.reload();
    const kids = keySet.publicKeys().keys.map((key) => key.kid);
    expect(kids.sort()).toEqual([kept.id, current.id, next.id].sort());
    for (const key of keySet.publicKeys().keys) {
      expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      expect(key).not.toHaveProperty('d');
    }
  });

  it('reloads on an unknown kid at most once a second, shared by concurrent callers', async () => {
    const current = row('current', at(-60));
    const rows = [current];
    const { keySet, loads } = keySetOver(rows);
    await keySet.reload();
    expect(loads.count).toBe(1);
    expect(await keySet.verificationKey(current.id)).not.toBeNull();
    expect(loads.count).toBe(1);
    // Within a second of the last load: an unknown kid does not reach the database.
    expect(await keySet.verificationKey('unknown')).toBeNull();
    expect(loads.count).toBe(1);
    (keySet as unknown as { lastReload: number }).lastReload -= 1_000;
    const created = row('next', null);
    rows.push(created);
    const found = await Promise.all([
      keySet.verificationKey(created.id),
      keySet.verificationKey(created.id),
    ]);
    expect(found.every((key) => key !== null)).toBe(true);
    expect(loads.count).toBe(2);
  });
});
