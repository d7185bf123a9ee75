import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { AuthModule } from '../auth/auth.module';
import { ClientAuthenticator } from './client-authenticator';
import { OAuthController } from './oauth.controller';
import { OAuthService } from './oauth.service';
import { TokenIntrospector } from './token-introspector';

/** RFC 7662 introspection and RFC 7009 revocation, on AuthModule's token checks. */
@Module({
  imports: [AuthModule, JwtModule.register({})],
  controllers: [OAuthController],
  providers: [OAuthService, ClientAuthenticator, TokenIntrospector],
})
export class OAuthModule {}
