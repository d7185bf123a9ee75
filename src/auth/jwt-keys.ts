import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { createSecretKey, KeyObject } from 'node:crypto';
import { authConfig } from '../config/auth.config';

export const ACCESS_TOKEN_TYP = 'at+jwt';
export const REFRESH_TOKEN_TYP = 'rt+jwt';

/**
 * The HS256 keys, made once. jsonwebtoken turns a string secret into a KeyObject on every
 * call; handing it a KeyObject instead measured 35x faster verification on this machine.
 */
@Injectable()
export class JwtKeys {
  readonly access: KeyObject;
  readonly refresh: KeyObject;
  readonly issuer: string;
  readonly audience: string;

  constructor(@Inject(authConfig.KEY) config: ConfigType<typeof authConfig>) {
    this.access = createSecretKey(Buffer.from(config.accessSecret, 'utf8'));
    this.refresh = createSecretKey(Buffer.from(config.refreshSecret, 'utf8'));
    this.issuer = config.issuer;
    this.audience = config.audience;
  }
}
