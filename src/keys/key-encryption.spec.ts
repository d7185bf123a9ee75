import { randomBytes } from 'node:crypto';
import { KeyEncryption } from './key-encryption';

describe('KeyEncryption (AES-256-GCM, kid as AAD)', () => {
  const sealer = new KeyEncryption(randomBytes(32));
  const secret = randomBytes(48);

  it('opens what it sealed, with a fresh IV each time', () => {
    const a = sealer.seal(secret, 'kid-1');
    const b = sealer.seal(secret, 'kid-1');
    expect(a).not.toBe(b);
    expect(a.startsWith('v1.')).toBe(true);
    expect(a).not.toContain(secret.toString('base64url'));
    expect(sealer.open(a, 'kid-1')).toEqual(secret);
    expect(sealer.open(b, 'kid-1')).toEqual(secret);
  });

  it('refuses another key id, another KEK, an altered ciphertext and garbage', () => {
    const sealed = sealer.seal(secret, 'kid-1');
    expect(() => sealer.open(sealed, 'kid-2')).toThrow(/cannot decrypt/);
    expect(() => new KeyEncryption(randomBytes(32)).open(sealed, 'kid-1')).toThrow(
      /cannot decrypt/,
    );
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3], 'base64url');
    flipped[0] ^= 1;
    parts[3] = flipped.toString('base64url');
    expect(() => sealer.open(parts.join('.'), 'kid-1')).toThrow(/cannot decrypt/);
    expect(() => sealer.open('v2.a.b.c', 'kid-1')).toThrow(/not sealed by this service/);
    expect(() => sealer.open('nonsense', 'kid-1')).toThrow(/not sealed by this service/);
  });

  it('needs a 32-byte key', () => {
    expect(() => new KeyEncryption(randomBytes(16))).toThrow(/32-byte/);
  });
});
