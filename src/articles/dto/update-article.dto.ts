import { PartialType } from '@nestjs/swagger';
import { CreateArticleDto } from './create-article.dto';

/** Fields may be left out, but not set to null. */
export class UpdateArticleDto extends PartialType(CreateArticleDto, {
  skipNullProperties: false,
}) {}
