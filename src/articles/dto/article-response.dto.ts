import { ApiProperty } from '@nestjs/swagger';
import { PageDtoOf } from '../../common/dto/page.dto';
import { Article } from '../entities/article.entity';

export class ArticleResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Hello' })
  title: string;

  @ApiProperty({ example: 'First post.' })
  body: string;

  @ApiProperty({ format: 'uuid' })
  authorId: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: string;

  static from(article: Article): ArticleResponseDto {
    return {
      id: article.id,
      title: article.title,
      body: article.body,
      authorId: article.authorId,
      createdAt: article.createdAt.toISOString(),
      updatedAt: article.updatedAt.toISOString(),
    };
  }
}

export class ArticlePageDto extends PageDtoOf(ArticleResponseDto) {}
