import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KeySet } from './key-set.service';
import { KeyStore } from './key-store';
import { SigningKey } from './signing-key.entity';
import { WellKnownController } from './well-known.controller';

/**
 * Asymmetric access-token keys (JWT_ALG ES256, EdDSA or RS256): the `signing_keys` table, each
 * instance's key set with its reloads and scheduled rotation, and the JWKS and RFC 8414
 * metadata. With HS256 it loads nothing and publishes an empty set.
 */
@Module({
  imports: [TypeOrmModule.forFeature([SigningKey])],
  controllers: [WellKnownController],
  providers: [KeyStore, KeySet],
  exports: [KeySet],
})
export class KeysModule {}
