import { ApiProperty } from '@nestjs/swagger';
import { UserResponseDto } from '../../users/dto/user-response.dto';

export class TokenPairDto {
  @ApiProperty({ example: 'Bearer' })
  tokenType: 'Bearer';

  @ApiProperty({
    description: 'HS256 JWT, typ at+jwt',
    example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6ImF0K2p3dCJ9…',
  })
  accessToken: string;

  @ApiProperty({ example: 900, description: 'Seconds until the access token expires' })
  expiresIn: number;

  @ApiProperty({
    description: 'Single-use refresh token; also set as the refresh_token cookie',
    example: 'eyJhbGciOiJIUzI1NiJ9…',
  })
  refreshToken: string;

  @ApiProperty({ example: 604800, description: 'Seconds until the refresh token expires' })
  refreshExpiresIn: number;

  @ApiProperty({ type: UserResponseDto })
  user: UserResponseDto;
}
