import { ApiProperty } from '@nestjs/swagger';
import { PageDtoOf } from '../../common/dto/page.dto';
import { User } from '../entities/user.entity';
import { UserResponseDto } from './user-response.dto';

export class AdminUserResponseDto extends UserResponseDto {
  @ApiProperty()
  disabled: boolean;

  static from(user: User): AdminUserResponseDto {
    return { ...UserResponseDto.from(user), disabled: user.disabled };
  }
}

export class AdminUserPageDto extends PageDtoOf(AdminUserResponseDto) {}
