import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * `next`: published in the JWKS, not signing yet. `current`: signs from `activatesAt` on.
 * `retired`: signed until `retiredAt`, published until the last token it signed has expired,
 * then deleted.
 */
export type SigningKeyState = 'next' | 'current' | 'retired';

/** One asymmetric access-token key. The private half is stored only AES-256-GCM encrypted. */
@Entity('signing_keys')
export class SigningKey {
  /** The JWS `kid`: the RFC 7638 thumbprint of the public key. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ type: 'varchar', length: 10 })
  algorithm: string;

  @Column({ type: 'varchar', length: 10 })
  state: SigningKeyState;

  /** The public JWK as JSON (kty, crv/x/y or n/e): what the JWKS publishes. */
  @Column({ name: 'public_jwk', type: 'text' })
  publicJwk: string;

  /** PKCS#8 DER of the private key, sealed by KeyEncryption (iv, tag and ciphertext). */
  @Column({ name: 'private_key', type: 'text' })
  privateKey: string;

  /** When it was created, which is when it was first published. */
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  /** When it starts (or started) to sign; null while it is `next`. */
  @Column({ name: 'activates_at', type: 'datetime', precision: 3, nullable: true })
  activatesAt: Date | null;

  /** When a successor took over signing from it; null until it is `retired`. */
  @Column({ name: 'retired_at', type: 'datetime', precision: 3, nullable: true })
  retiredAt: Date | null;
}
