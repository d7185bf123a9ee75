import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class UpdateMeDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'Ann' })
  @IsString()
  @Length(1, 100)
  name: string;
}
