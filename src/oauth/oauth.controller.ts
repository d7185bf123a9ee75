import { Body, Controller, Headers, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiBasicAuth,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { FORM_BODY } from '../app.setup';
import { ClientMeta } from '../auth/decorators/client-meta.decorator';
import { Public } from '../auth/decorators/public.decorator';
import { RequestMeta } from '../auth/types/auth-user';
import { ErrorCode } from '../common/errors';
import { ApiErrors } from '../common/swagger/api-errors.decorator';
import { HeadersOnEveryAnswer } from '../common/swagger/response-headers';
import { authConfig } from '../config/auth.config';
import { ClientAuthenticator } from './client-authenticator';
import { TokenRequestDto } from './dto/token-request.dto';
import { IntrospectionResponse, OAuthService } from './oauth.service';

const FORM = 'application/x-www-form-urlencoded';

const ACTIVE_EXAMPLE = {
  active: true,
  token_type: 'Bearer',
  token_use: 'access_token',
  sub: '6f1c2a64-3f7e-4a5b-9a8e-2b9c0d1e2f3a',
  sid: '0b7d2c4e-8f9a-4b1c-9d2e-3f4a5b6c7d8e',
  jti: 'c2f1e0d9-8b7a-4c6d-9e5f-4a3b2c1d0e9f',
  iat: 1764720000,
  exp: 1764720900,
  iss: 'nest-auth-service',
  aud: 'nest-auth-service',
  roles: ['user'],
};

/**
 * OAuth endpoints for a fleet of resource servers. Public to the access-token guard: the
 * caller is a client (HTTP Basic, INTROSPECTION_CLIENTS) or, for revocation, the token's
 * holder. Bodies are form-encoded as the RFCs prescribe; answers are never cached.
 */
@ApiTags('oauth')
@Public()
// Set by each handler before it authenticates the client: on its 401 too.
@HeadersOnEveryAnswer('Cache-Control')
@Controller('oauth')
export class OAuthController {
  constructor(
    private readonly oauth: OAuthService,
    private readonly clients: ClientAuthenticator,
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
  ) {}

  @Post('introspect')
  @HttpCode(200)
  @RouteConfig({ [FORM_BODY]: true })
  @ApiOperation({
    summary: 'Is this token live? (RFC 7662 introspection)',
    description:
      'For resource servers that need instant revocation: the same session check this ' +
      'server applies to its own routes. Client authentication by HTTP Basic with an id and ' +
      'secret from INTROSPECTION_CLIENTS. Expired, revoked, spent, forged and unknown tokens ' +
      'all answer `{"active":false}`.',
  })
  @ApiBasicAuth('oauth-client')
  @ApiConsumes(FORM)
  @ApiBody({ type: TokenRequestDto })
  @ApiOkResponse({
    description: 'The token is live (with its claims) or not (`{"active":false}`)',
    content: {
      'application/json': {
        examples: {
          active: { summary: 'A live access token', value: ACTIVE_EXAMPLE },
          inactive: { summary: 'Anything else', value: { active: false } },
        },
      },
    },
  })
  @ApiErrors(ErrorCode.ValidationFailed, ErrorCode.InvalidClient, ErrorCode.UnsupportedMediaType)
  introspect(
    @Headers('authorization') authorization: string | undefined,
    @Body() dto: TokenRequestDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IntrospectionResponse> {
    reply.header('Cache-Control', 'no-store');
    // Who asks does not change the answer (RFC 7662's client_id would name the client the
    // token was issued to; these tokens were issued to users, so it is left out).
    this.clients.authenticate(authorization);
    return this.oauth.introspect(dto.token, dto.token_type_hint, {
      iss: this.auth.issuer,
      aud: this.auth.audience,
    });
  }

  @Post('revoke')
  @HttpCode(200)
  @RouteConfig({ [FORM_BODY]: true })
  @ApiOperation({
    summary: "End a token's session (RFC 7009 revocation)",
    description:
      'Revoking an access or a refresh token ends its session: its access tokens answer ' +
      '`token_revoked` here and introspect as inactive at once. A client authenticates with ' +
      "HTTP Basic; without credentials the token's holder may revoke it. An unknown, invalid " +
      'or already revoked token also answers 200 (RFC 7009 §2.2).',
  })
  @ApiBasicAuth('oauth-client')
  @ApiConsumes(FORM)
  @ApiBody({ type: TokenRequestDto })
  @ApiOkResponse({
    description: 'Revoked, or nothing to revoke (empty body)',
  })
  @ApiErrors(ErrorCode.ValidationFailed, ErrorCode.InvalidClient, ErrorCode.UnsupportedMediaType)
  async revoke(
    @Headers('authorization') authorization: string | undefined,
    @Body() dto: TokenRequestDto,
    @ClientMeta() meta: RequestMeta,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    reply.header('Cache-Control', 'no-store');
    const clientId = this.clients.authenticateIfPresent(authorization);
    await this.oauth.revoke(dto.token, dto.token_type_hint, clientId, meta);
  }
}
