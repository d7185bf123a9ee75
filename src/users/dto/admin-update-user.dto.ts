import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEnum,
} from 'class-validator';
import { IsOmittable } from '../../common/dto/is-omittable.decorator';
import { Role } from '../enums/role.enum';

export class AdminUpdateUserDto {
  @ApiPropertyOptional({ enum: Role, isArray: true, example: [Role.User, Role.Admin] })
  @IsOmittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsEnum(Role, { each: true })
  roles?: Role[];

  @ApiPropertyOptional({ description: "Disabling ends all of the user's sessions" })
  @IsOmittable()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional({
    description: 'Marks the address verified (or not); voids the outstanding verification links',
  })
  @IsOmittable()
  @IsBoolean()
  emailVerified?: boolean;
}
