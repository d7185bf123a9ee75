import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

export class RefreshTokenDto {
  @ApiPropertyOptional({
    description: 'The refresh token; may be omitted when the refresh_token cookie is sent',
  })
  @IsOptional()
  @IsString()
  refreshToken?: string;
}
