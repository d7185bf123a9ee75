import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/decorators/public.decorator';
import { headerRefs } from '../common/swagger/response-headers';
import { authConfig } from '../config/auth.config';
import { keysConfig } from '../config/keys.config';
import { oauthConfig } from '../config/oauth.config';
import { KeySet } from './key-set.service';

/** Outside the `/api` prefix, where RFC 8414 and resource servers look for them. */
export const WELL_KNOWN_PATHS = ['.well-known/jwks.json', '.well-known/oauth-authorization-server'];

const JWKS_EXAMPLE = {
  keys: [
    {
      kty: 'OKP',
      crv: 'Ed25519',
      x: 'n6Xc8ObfAuUZ4gAfShCXHG0f-dFXn5BKtlmjWE_A8lE',
      kid: 'Yr0sUb4ZzVKR3I2v7s5TCNpbbB2qg8oJL0OMGkYsYz8',
      alg: 'EdDSA',
      use: 'sig',
    },
  ],
};

/**
 * The public half of the token issuer: the JWKS resource servers verify access tokens with
 * (never the HS256 secret: with JWT_ALG=HS256 the set is empty), and the RFC 8414 metadata
 * that tells them where it and the introspection and revocation endpoints are.
 */
@ApiTags('keys')
@Public()
@Controller('.well-known')
export class WellKnownController {
  constructor(
    private readonly keySet: KeySet,
    @Inject(keysConfig.KEY) private readonly keys: ConfigType<typeof keysConfig>,
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
    @Inject(oauthConfig.KEY) private readonly oauth: ConfigType<typeof oauthConfig>,
  ) {}

  @Get('jwks.json')
  @ApiOperation({
    summary: 'Public keys that verify access tokens (RFC 7517 JWK Set)',
    description:
      'The next, current and recently retired keys. A key is published here for the ' +
      'pre-publication window (2 × KEY_REFRESH_INTERVAL) before it signs, and stays until the ' +
      'last token it signed has expired. `Cache-Control: public, max-age` is half a ' +
      'KEY_REFRESH_INTERVAL. With JWT_ALG=HS256 the set is empty.',
  })
  @ApiOkResponse({
    description: 'The JWK Set',
    schema: { example: JWKS_EXAMPLE },
    headers: headerRefs('Cache-Control'),
  })
  jwks(@Res({ passthrough: true }) reply: FastifyReply) {
    reply.header('Cache-Control', `public, max-age=${this.keys.jwksMaxAge}`);
    return this.keySet.publicKeys();
  }

  @Get('oauth-authorization-server')
  @ApiOperation({
    summary: 'Authorization server metadata (RFC 8414)',
    description:
      'Issuer, JWKS URL, introspection and revocation endpoints and the signing algorithm. ' +
      'Absolute URLs are built from PUBLIC_URL.',
  })
  @ApiOkResponse({
    description: 'The metadata document',
    headers: headerRefs('Cache-Control'),
    schema: {
      example: {
        issuer: 'nest-auth-service',
        jwks_uri: 'https://auth.example.com/.well-known/jwks.json',
        introspection_endpoint: 'https://auth.example.com/api/oauth/introspect',
        revocation_endpoint: 'https://auth.example.com/api/oauth/revoke',
      },
    },
  })
  metadata(@Res({ passthrough: true }) reply: FastifyReply) {
    reply.header('Cache-Control', `public, max-age=${this.keys.jwksMaxAge}`);
    const base = this.oauth.publicUrl;
    return {
      issuer: this.auth.issuer,
      jwks_uri: `${base}/.well-known/jwks.json`,
      introspection_endpoint: `${base}/api/oauth/introspect`,
      introspection_endpoint_auth_methods_supported: ['client_secret_basic'],
      revocation_endpoint: `${base}/api/oauth/revoke`,
      // `none`: the holder of a token may revoke it without client credentials (RFC 7009 §2.1).
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'none'],
      access_token_signing_alg_values_supported: [this.keys.algorithm],
      // No authorization endpoint: tokens come from /api/auth/login, not an OAuth grant.
      response_types_supported: [],
      grant_types_supported: [],
      service_documentation: `${base}/docs`,
    };
  }
}
