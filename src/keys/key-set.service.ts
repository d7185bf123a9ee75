import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { KeyObject } from 'node:crypto';
import { AuditLog } from '../common/audit/audit-log.service';
import { Clock } from '../common/clock';
import { AsymmetricAlgorithm, keysConfig } from '../config/keys.config';
import { privateKeyFromDer, PublicJwk, publicKeyFromJwk, signJws } from './key-material';
import { KeyStore, RotationResult } from './key-store';
import { SigningKey } from './signing-key.entity';

/** A verifier meeting an unknown `kid` reloads the set at most this often. */
const UNKNOWN_KID_RELOAD_MS = 1_000;

interface LoadedKey {
  row: SigningKey;
  publicKey: KeyObject;
  jwk: PublicJwk;
}

/** The signing key of the moment: its `kid`, private key and encoded JWS header. */
export interface ActiveKey {
  kid: string;
  algorithm: AsymmetricAlgorithm;
  privateKey: KeyObject;
  /** base64url of `{"alg","typ":"at+jwt","kid"}`, encoded once per key. */
  encodedHeader: string;
}

/**
 * Every instance's copy of the asymmetric key set (JWT_ALG other than HS256): reloaded from
 * `signing_keys` every KEY_REFRESH_INTERVAL, and at once (rate-limited) when a token names a
 * `kid` it does not know. A key is published as `next` for two reload intervals before it may
 * sign, so every instance, and every resource server that refetches the JWKS, knows it before
 * the first token it signed reaches them. With HS256 the set is empty and nothing is loaded.
 */
@Injectable()
export class KeySet implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(KeySet.name);
  private keys: LoadedKey[] = [];
  private byKid = new Map<string, LoadedKey>();
  private readonly active = new Map<string, ActiveKey>();
  private jwks: { keys: PublicJwk[] } = { keys: [] };
  private lastReload = 0;
  private reloading: Promise<void> | null = null;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(keysConfig.KEY) private readonly config: ConfigType<typeof keysConfig>,
    private readonly store: KeyStore,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  get enabled(): boolean {
    return this.config.algorithm !== 'HS256';
  }

  async onModuleInit(): Promise<void> {
    if (!this.enabled) return;
    await this.store.ensureKeySet(this.clock.now());
    await this.reload();
    // Decrypts the signing key now: a KEY_ENCRYPTION_KEY other than the one the keys were
    // sealed with stops the start, rather than failing every login afterwards.
    this.signingKey();
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    this.timer = setInterval(() => void this.tick(), this.config.refreshInterval * 1000);
    this.timer.unref();
  }

  beforeApplicationShutdown(): Promise<void> | undefined {
    clearInterval(this.timer);
    return this.reloading ?? undefined;
  }

  /** The public JWKS (RFC 7517): next, current and not yet expired retired keys. */
  publicKeys(): { keys: PublicJwk[] } {
    return this.jwks;
  }

  /**
   * The key that signs now: the one whose activation is the latest that has passed. Two
   * instances with the same rows pick the same key; one that has not reloaded yet keeps
   * signing with its predecessor, which stays published.
   */
  signingKey(): ActiveKey {
    const now = this.clock.now().getTime();
    let chosen: LoadedKey | undefined;
    for (const key of this.keys) {
      const at = key.row.activatesAt?.getTime();
      if (key.row.state === 'next' || at === undefined || at > now) continue;
      const best = chosen?.row.activatesAt?.getTime() ?? -Infinity;
      if (at > best || (at === best && key.row.id > (chosen as LoadedKey).row.id)) chosen = key;
    }
    if (!chosen) throw new Error('no signing key is active (the key set was not loaded)');
    return this.activeKey(chosen.row);
  }

  /** Signs a compact JWS with the signing key of the moment. */
  sign(payload: Record<string, unknown>): string {
    const key = this.signingKey();
    const input = `${key.encodedHeader}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    return `${input}.${signJws(key.algorithm, key.privateKey, input)}`;
  }

  /**
   * The public key for `kid`, or null when no published key has it. An unknown `kid` reloads
   * the set (at most once a second, shared by concurrent callers), so a token signed by a key
   * another instance just created still verifies.
   */
  async verificationKey(kid: string): Promise<KeyObject | null> {
    const known = this.byKid.get(kid);
    if (known) return known.publicKey;
    if (this.reloading) await this.reloading;
    else if (Date.now() - this.lastReload >= UNKNOWN_KID_RELOAD_MS) await this.reload();
    return this.byKid.get(kid)?.publicKey ?? null;
  }

  /** Whether `kid` is in this copy of the set (no reload): a cached verification's check. */
  isPublished(kid: string): boolean {
    return this.byKid.has(kid);
  }

  /** Rotates now (the CLI's `rotate-keys`, audited as `actorId`), then reloads this copy. */
  async rotate(actorId: string): Promise<RotationResult | null> {
    const result = await this.store.rotate(this.clock.now());
    if (result) this.recordRotation(result, actorId);
    await this.reload();
    return result;
  }

  private recordRotation(result: RotationResult, actorId: string): void {
    this.audit.record('keys.rotated', {
      actorId,
      promoted: result.promoted.id,
      activatesAt: (result.promoted.activatesAt as Date).toISOString(),
      retired: result.retired,
      next: result.next.id,
      ip: null,
      userAgent: null,
    });
  }

  /** Reloads from the table; concurrent callers share one query. */
  reload(): Promise<void> {
    this.reloading ??= this.load().finally(() => {
      this.reloading = null;
    });
    return this.reloading;
  }

  private async load(): Promise<void> {
    this.lastReload = Date.now();
    const rows = await this.store.load();
    const cutoff = this.store.publishedUntilCutoff(this.clock.now()).getTime();
    const keys = rows
      .filter((row) => row.state !== 'retired' || (row.retiredAt?.getTime() ?? 0) >= cutoff)
      .map((row) => this.loaded(row));
    this.keys = keys;
    this.byKid = new Map(keys.map((key) => [key.row.id, key]));
    for (const kid of this.active.keys()) if (!this.byKid.has(kid)) this.active.delete(kid);
    this.jwks = { keys: keys.map((key) => key.jwk) };
  }

  private loaded(row: SigningKey): LoadedKey {
    const previous = this.byKid.get(row.id);
    if (previous) return { ...previous, row };
    const jwk = JSON.parse(row.publicJwk) as JsonWebKeyMembers;
    return {
      row,
      publicKey: publicKeyFromJwk(jwk),
      jwk: { ...jwk, kid: row.id, alg: row.algorithm as AsymmetricAlgorithm, use: 'sig' },
    };
  }

  /** Decrypts a signing key once, the first time it signs. */
  private activeKey(row: SigningKey): ActiveKey {
    let key = this.active.get(row.id);
    if (!key) {
      const algorithm = row.algorithm as AsymmetricAlgorithm;
      const header = { alg: algorithm, typ: 'at+jwt', kid: row.id };
      key = {
        kid: row.id,
        algorithm,
        privateKey: privateKeyFromDer(this.store.openPrivateKey(row)),
        encodedHeader: Buffer.from(JSON.stringify(header)).toString('base64url'),
      };
      this.active.set(row.id, key);
    }
    return key;
  }

  /** Each reload interval: the scheduled rotation when due, removals, then a reload. */
  private async tick(): Promise<void> {
    const now = this.clock.now();
    try {
      if (this.config.rotationInterval > 0) {
        const rotated = await this.store.rotate(now, this.config.rotationInterval);
        if (rotated) this.recordRotation(rotated, 'scheduler');
      }
      await this.store.removeExpired(now);
      await this.reload();
      if (!this.keys.some((key) => key.row.state === 'next')) {
        await this.store.ensureKeySet(now);
        await this.reload();
      }
    } catch (error) {
      // The last loaded set keeps serving; the next tick tries again.
      this.logger.warn(`key set reload failed: ${(error as Error).message}`);
    }
  }
}

type JsonWebKeyMembers = Omit<PublicJwk, 'kid' | 'alg' | 'use'>;

/** One line for the log and the CLI: ids and times only, never key material. */
export function describeRotation(result: RotationResult): string {
  const at = result.promoted.activatesAt?.toISOString();
  const retired = result.retired.length ? result.retired.join(', ') : 'none';
  return (
    `rotated signing keys: ${result.promoted.id} signs from ${at}; ` +
    `retired ${retired}; new next ${result.next.id}`
  );
}
