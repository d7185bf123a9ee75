import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { TextLength } from '../../common/dto/text-length.decorator';

export class CreateArticleDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Hello' })
  @IsString()
  @TextLength(1, 200)
  title: string;

  @ApiProperty({ minLength: 1, maxLength: 20000, example: 'First post.' })
  @IsString()
  @TextLength(1, 20000)
  body: string;
}
