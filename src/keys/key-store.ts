import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, LessThan, Repository } from 'typeorm';
import { addSeconds } from '../common/time';
import { authConfig } from '../config/auth.config';
import { AsymmetricAlgorithm, keysConfig } from '../config/keys.config';
import { withSchemaLock } from '../database/migration-lock';
import { KeyEncryption } from './key-encryption';
import { generateSigningKey } from './key-material';
import { SigningKey } from './signing-key.entity';

/** Clocks of instances may disagree by this much; a retired key is kept that much longer. */
export const CLOCK_SKEW_SECONDS = 10;
const LOCK_WAIT_SECONDS = 30;

export interface RotationResult {
  /** The key that signs from `activatesAt` on. */
  promoted: SigningKey;
  /** The new `next` key, published from now on. */
  next: SigningKey;
  /** The keys that stopped (or will stop) signing at `activatesAt`. */
  retired: string[];
}

/**
 * The `signing_keys` table: creation, rotation and removal of the access-token keys. Every
 * change is a conditional statement that is safe to race (the promotion's affected-row count
 * decides between two rotations), and on MySQL it also runs under a named lock, so the CLI, a
 * scheduled rotation and a starting instance never interleave their steps.
 */
@Injectable()
export class KeyStore {
  private readonly sealer: KeyEncryption | null;

  constructor(
    @Inject(keysConfig.KEY) private readonly config: ConfigType<typeof keysConfig>,
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
    @InjectRepository(SigningKey) private readonly keys: Repository<SigningKey>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.sealer = config.encryptionKey ? new KeyEncryption(config.encryptionKey) : null;
  }

  get algorithm(): AsymmetricAlgorithm {
    return this.config.algorithm as AsymmetricAlgorithm;
  }

  /** The stored keys of the configured algorithm (a handful: next, current, recent retired). */
  load(): Promise<SigningKey[]> {
    return this.keys.find({ where: { algorithm: this.algorithm } });
  }

  /** The private key of a stored row, decrypted (never logged, never sent). */
  openPrivateKey(row: SigningKey): Buffer {
    return this.requireSealer().open(row.privateKey, row.id);
  }

  /**
   * A first start (or one with a new JWT_ALG): a current key that signs at once and a next
   * one. A set that has both already is left alone. Keys of another algorithm are left alone
   * too (never published nor used here): a CLI run or an instance started with the wrong
   * JWT_ALG must not retire the keys the rest of the fleet signs with.
   */
  ensureKeySet(now: Date): Promise<void> {
    return this.locked(async () => {
      const stored = await this.load();
      if (!stored.some((key) => key.state === 'current')) {
        await this.keys.insert(this.create('current', now, now));
      }
      if (!stored.some((key) => key.state === 'next')) {
        await this.keys.insert(this.create('next', now, null));
      }
    });
  }

  /**
   * next → current, current → retired, and a new next. The promoted key signs once it has
   * been published for the pre-publication window (at once when it has been); until then the
   * key it replaces keeps signing, so no token is ever signed by a key a verifier may not yet
   * have. Null when a concurrent rotation promoted that key first, or (with
   * `onlyIfOlderThan`, seconds) when the newest current key is younger than that.
   */
  rotate(now: Date, onlyIfOlderThan?: number): Promise<RotationResult | null> {
    return this.locked(async () => {
      const stored = await this.load();
      // A scheduled rotation decides under the lock, on fresh rows: another instance may
      // have rotated a moment ago, and rotating again would retire a key that never signed.
      if (onlyIfOlderThan !== undefined && !isDue(stored, now, onlyIfOlderThan)) return null;
      let next = stored
        .filter((key) => key.state === 'next')
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())[0];
      if (!next) {
        next = this.create('next', now, null);
        await this.keys.insert(next);
      }
      const activatesAt = new Date(
        Math.max(now.getTime(), addSeconds(next.createdAt, this.config.prePublication).getTime()),
      );
      // The conditional UPDATE decides: a concurrent rotation that promoted it first wins.
      const promoted = await this.keys.update(
        { id: next.id, state: 'next' },
        { state: 'current', activatesAt },
      );
      if (promoted.affected !== 1) return null;
      const retired = stored.filter((key) => key.state === 'current' && key.id !== next.id);
      if (retired.length) {
        await this.keys.update(
          { id: In(retired.map((key) => key.id)), state: 'current' },
          { state: 'retired', retiredAt: activatesAt },
        );
      }
      const fresh = this.create('next', now, null);
      await this.keys.insert(fresh);
      return {
        promoted: { ...next, state: 'current', activatesAt },
        next: fresh,
        retired: retired.map((key) => key.id),
      };
    });
  }

  /**
   * Deletes retired keys whose last token has expired: it stopped signing at `retiredAt`, an
   * instance that had not reloaded yet may have signed with it for one more reload interval,
   * and that token lives ACCESS_TOKEN_TTL. Returns how many went.
   */
  async removeExpired(now: Date): Promise<number> {
    const result = await this.keys.delete({
      state: 'retired',
      retiredAt: LessThan(this.publishedUntilCutoff(now)),
    });
    return result.affected ?? 0;
  }

  /** A retired key that stopped signing before this moment verifies no live token any more. */
  publishedUntilCutoff(now: Date): Date {
    return addSeconds(
      now,
      -(this.auth.accessTtl + this.config.refreshInterval + CLOCK_SKEW_SECONDS),
    );
  }

  private create(state: 'current' | 'next', now: Date, activatesAt: Date | null): SigningKey {
    const generated = generateSigningKey(this.algorithm);
    return this.keys.create({
      id: generated.kid,
      algorithm: this.algorithm,
      state,
      publicJwk: JSON.stringify(generated.publicJwk),
      privateKey: this.requireSealer().seal(generated.privateDer, generated.kid),
      createdAt: now,
      activatesAt,
      retiredAt: null,
    });
  }

  private requireSealer(): KeyEncryption {
    if (!this.sealer) throw new Error('KEY_ENCRYPTION_KEY is not configured');
    return this.sealer;
  }

  private locked<T>(work: () => Promise<T>): Promise<T> {
    return withSchemaLock(this.dataSource, 'keys', LOCK_WAIT_SECONDS, work);
  }
}

/** Whether the newest current key has been current for `seconds` (and none waits to sign). */
function isDue(stored: SigningKey[], now: Date, seconds: number): boolean {
  const activations = stored
    .filter((key) => key.state === 'current' && key.activatesAt)
    .map((key) => (key.activatesAt as Date).getTime());
  if (activations.length === 0) return true;
  return Math.max(...activations) + seconds * 1000 <= now.getTime();
}
