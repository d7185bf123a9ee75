import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class CreateArticleDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Hello' })
  @IsString()
  @Length(1, 200)
  title: string;

  @ApiProperty({ minLength: 1, maxLength: 20000, example: 'First post.' })
  @IsString()
  @Length(1, 20000)
  body: string;
}
