import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { SingleLine, TextLength } from '../../common/dto/text-length.decorator';

export class UpdateMeDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'Ann' })
  @IsString()
  @TextLength(1, 100)
  @SingleLine()
  name: string;
}
