import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';

/**
 * The body of RFC 7662 introspection and RFC 7009 revocation, form-encoded. The names are the
 * RFCs' (snake_case), not the contract's camelCase: OAuth clients send them as written there.
 */
export class TokenRequestDto {
  @ApiProperty({ description: 'An access or refresh token issued by this server' })
  @IsString()
  @Length(1, 8192)
  token: string;

  @ApiPropertyOptional({
    description:
      'Which kind `token` is, to look it up faster: `access_token` or `refresh_token`. ' +
      'Only an ordering hint (RFC 7662 §2.1): the token is recognised either way, and an ' +
      'unknown value is ignored.',
    example: 'access_token',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  token_type_hint?: string;

  @ApiPropertyOptional({
    description: 'Sent by public clients (RFC 7009 §2.1); not used for authentication here.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  client_id?: string;
}
