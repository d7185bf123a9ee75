import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

/**
 * AES-256-GCM for private keys at rest: `v1.<iv>.<tag>.<ciphertext>` (base64url). The key id
 * is the additional authenticated data, so a sealed key copied onto another row fails to open
 * instead of signing under the wrong `kid`. A fresh 96-bit IV per seal: keys are sealed a few
 * times a year, far from GCM's limits on one key.
 */
export class KeyEncryption {
  /** `what` and `variable` name the sealed things and their key in errors. */
  constructor(
    private readonly key: Buffer,
    private readonly what = 'signing key',
    private readonly variable = 'KEY_ENCRYPTION_KEY',
  ) {
    if (key.length !== 32) throw new Error('KeyEncryption needs a 32-byte key');
  }

  seal(plaintext: Buffer, keyId: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(keyId, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** Throws when the ciphertext was altered, belongs to another key id or another KEK. */
  open(sealed: string, keyId: string): Buffer {
    const [version, iv, tag, ciphertext, extra] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || !ciphertext || extra !== undefined) {
      throw new Error(`${this.what} ${keyId}: not sealed by this service`);
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(keyId, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]);
    } catch {
      throw new Error(
        `${this.what} ${keyId}: cannot decrypt it (${this.variable} differs from the one it ` +
          'was stored with, or the row was altered)',
      );
    }
  }
}
