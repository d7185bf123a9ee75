import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEnum,
  IsOptional,
} from 'class-validator';
import { Role } from '../enums/role.enum';

export class AdminUpdateUserDto {
  @ApiPropertyOptional({ enum: Role, isArray: true, example: [Role.User, Role.Admin] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsEnum(Role, { each: true })
  roles?: Role[];

  @ApiPropertyOptional({ description: "Disabling ends all of the user's sessions" })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}
