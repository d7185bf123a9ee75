import { UserResponseDto } from '../../users/dto/user-response.dto';

export interface TokenPair {
  tokenType: 'Bearer';
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
  user: UserResponseDto;
}
