import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectConfigError } from '../../test/utils/config-error';
import { loadOrCreateDevEncryptionKey } from './dev-secrets';
import { loadKeysConfig } from './keys.config';
import { loadOAuthConfig, parseIntrospectionClients } from './oauth.config';

const KEK_HEX = 'ab'.repeat(32);

describe('keys configuration', () => {
  it('defaults to HS256 with no key set, reloads every 60 s, no scheduled rotation', () => {
    expect(loadKeysConfig({})).toEqual({
      algorithm: 'HS256',
      encryptionKey: null,
      generatedEncryptionKey: false,
      refreshInterval: 60,
      prePublication: 120,
      jwksMaxAge: 30,
      rotationInterval: 0,
      verifyCacheSize: 10_000,
    });
  });

  it('takes the key-encryption key as hex or base64, 32 bytes exactly', () => {
    const hex = loadKeysConfig({ JWT_ALG: 'EdDSA', KEY_ENCRYPTION_KEY: KEK_HEX });
    expect(hex.encryptionKey).toEqual(Buffer.from(KEK_HEX, 'hex'));
    const base64 = Buffer.alloc(32, 7).toString('base64');
    expect(loadKeysConfig({ KEY_ENCRYPTION_KEY: base64 }).encryptionKey).toEqual(
      Buffer.alloc(32, 7),
    );
    const base64url = Buffer.alloc(32, 250).toString('base64url');
    expect(loadKeysConfig({ KEY_ENCRYPTION_KEY: base64url }).encryptionKey).toEqual(
      Buffer.alloc(32, 250),
    );
    for (const bad of [
      'short',
      'ab'.repeat(31),
      Buffer.alloc(31).toString('base64'),
      'zz'.repeat(32),
    ]) {
      expectConfigError(() => loadKeysConfig({ KEY_ENCRYPTION_KEY: bad }), 'KEY_ENCRYPTION_KEY');
    }
  });

  it('refuses an unknown JWT_ALG, and none', () => {
    for (const alg of ['none', 'HS512', 'es256', 'PS256']) {
      expectConfigError(() => loadKeysConfig({ JWT_ALG: alg }), 'JWT_ALG');
    }
  });

  it('requires KEY_ENCRYPTION_KEY in production with an asymmetric JWT_ALG, not with HS256', () => {
    const error = expectConfigError(
      () => loadKeysConfig({ NODE_ENV: 'production', JWT_ALG: 'ES256' }),
      'KEY_ENCRYPTION_KEY',
    );
    expect(error.message).toMatch(/required in production with JWT_ALG=ES256/);
    expect(loadKeysConfig({ NODE_ENV: 'production' }).encryptionKey).toBeNull();
  });

  it('scheduled rotation: off by default or "off", never shorter than the pre-publication window', () => {
    expect(loadKeysConfig({ KEY_ROTATION_INTERVAL: 'off' }).rotationInterval).toBe(0);
    expect(loadKeysConfig({ KEY_ROTATION_INTERVAL: '30d' }).rotationInterval).toBe(30 * 86400);
    const config = loadKeysConfig({ KEY_REFRESH_INTERVAL: '10s', KEY_ROTATION_INTERVAL: '20s' });
    expect(config).toMatchObject({ refreshInterval: 10, prePublication: 20, jwksMaxAge: 5 });
    expectConfigError(
      () => loadKeysConfig({ KEY_REFRESH_INTERVAL: '10s', KEY_ROTATION_INTERVAL: '19s' }),
      'KEY_ROTATION_INTERVAL',
    );
    expectConfigError(() => loadKeysConfig({ KEY_REFRESH_INTERVAL: '2h' }), 'KEY_REFRESH_INTERVAL');
    expectConfigError(() => loadKeysConfig({ KEY_REFRESH_INTERVAL: '0' }), 'KEY_REFRESH_INTERVAL');
  });

  it('TOKEN_VERIFY_CACHE_SIZE: 10000 by default, 0 turns it off, anything else is refused', () => {
    expect(loadKeysConfig({}).verifyCacheSize).toBe(10_000);
    expect(loadKeysConfig({ TOKEN_VERIFY_CACHE_SIZE: '0' }).verifyCacheSize).toBe(0);
    for (const bad of ['-1', '1e3', 'many', '1000001']) {
      expectConfigError(
        () => loadKeysConfig({ TOKEN_VERIFY_CACHE_SIZE: bad }),
        'TOKEN_VERIFY_CACHE_SIZE',
      );
    }
  });

  it('generates the development key once into a 0600 file and reads it back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kek-'));
    try {
      const file = join(dir, 'sub', 'key-encryption-key');
      const first = loadOrCreateDevEncryptionKey(file);
      expect(first).toHaveLength(32);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(loadOrCreateDevEncryptionKey(file)).toEqual(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('oauth configuration', () => {
  const secret = 's'.repeat(32);

  it('parses INTROSPECTION_CLIENTS as id:secret pairs (a secret may hold colons)', () => {
    expect(parseIntrospectionClients(`gateway:${secret}, billing.svc:${secret}:x`)).toEqual([
      { id: 'gateway', secret },
      { id: 'billing.svc', secret: `${secret}:x` },
    ]);
    expect(parseIntrospectionClients(undefined)).toEqual([]);
  });

  it('refuses malformed entries, short secrets and duplicate ids, naming the variable', () => {
    for (const raw of [
      'gateway',
      `:${secret}`,
      'gateway:short',
      `gate way:${secret}`,
      `g:${secret},g:${secret}`,
    ]) {
      expectConfigError(
        () => loadOAuthConfig({ INTROSPECTION_CLIENTS: raw }),
        'INTROSPECTION_CLIENTS',
      );
    }
  });

  it('never prints a secret in its error', () => {
    const error = expectConfigError(
      () => loadOAuthConfig({ INTROSPECTION_CLIENTS: 'gateway:too-short-secret' }),
      'INTROSPECTION_CLIENTS',
    );
    expect(error.message).not.toContain('too-short-secret');
  });

  it('PUBLIC_URL: defaults to localhost on PORT, trims a trailing slash, refuses what is not a base URL', () => {
    expect(loadOAuthConfig({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(loadOAuthConfig({ PUBLIC_URL: 'https://auth.example.com/' }).publicUrl).toBe(
      'https://auth.example.com',
    );
    for (const bad of [
      'auth.example.com',
      'ftp://x.example',
      'https://u:p@x.example',
      'https://:p@x.example',
      'https://x.example/?a=1',
    ]) {
      expectConfigError(() => loadOAuthConfig({ PUBLIC_URL: bad }), 'PUBLIC_URL');
    }
  });
});
