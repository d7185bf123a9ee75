import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Auth } from '../auth/decorators/auth.decorator';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { Public } from '../auth/decorators/public.decorator';
import { AuthUser } from '../auth/types/auth-user';
import { mapPage } from '../common/dto/page.dto';
import { PaginationQueryDto } from '../common/dto/pagination-query.dto';
import { ErrorCode } from '../common/errors';
import { UuidParam } from '../common/pipes/uuid-param';
import { ApiErrors } from '../common/swagger/api-errors.decorator';
import { ArticlesService } from './articles.service';
import { ArticlePageDto, ArticleResponseDto } from './dto/article-response.dto';
import { CreateArticleDto } from './dto/create-article.dto';
import { UpdateArticleDto } from './dto/update-article.dto';

/** No guard code here: the global guards authenticate, the service checks ownership. */
@ApiTags('articles')
@Controller('articles')
export class ArticlesController {
  constructor(private readonly articles: ArticlesService) {}

  @Public()
  @Get()
  @ApiOperation({
    summary: 'List articles, newest first',
    description: 'Public: no token needed. Paginated by `page` and `limit` (at most 100).',
  })
  @ApiOkResponse({ type: ArticlePageDto })
  @ApiErrors(ErrorCode.ValidationFailed)
  async findAll(@Query() query: PaginationQueryDto): Promise<ArticlePageDto> {
    const page = await this.articles.findAll(query.page, query.limit);
    return mapPage(page, (article) => ArticleResponseDto.from(article));
  }

  @Public()
  @Get(':id')
  @ApiOperation({
    summary: 'One article',
    description: 'Public: no token needed. An unknown id answers 404 `not_found`.',
  })
  @ApiOkResponse({ type: ArticleResponseDto })
  @ApiErrors(ErrorCode.ValidationFailed, ErrorCode.NotFound)
  async findOne(@UuidParam('id') id: string): Promise<ArticleResponseDto> {
    return ArticleResponseDto.from(await this.articles.findOne(id));
  }

  @Post()
  @Auth()
  @ApiOperation({
    summary: 'Write an article',
    description:
      'The caller becomes its author: only the author or an admin may edit or delete ' + 'it.',
  })
  @ApiCreatedResponse({ type: ArticleResponseDto })
  @ApiErrors(ErrorCode.ValidationFailed)
  async create(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreateArticleDto,
  ): Promise<ArticleResponseDto> {
    return ArticleResponseDto.from(await this.articles.create(user, dto));
  }

  @Patch(':id')
  @Auth()
  @ApiOperation({
    summary: 'Edit an article (author or admin)',
    description: 'Changes the title and/or body. Anyone else answers 403 `forbidden`.',
  })
  @ApiOkResponse({ type: ArticleResponseDto })
  @ApiErrors(ErrorCode.ValidationFailed, ErrorCode.Forbidden, ErrorCode.NotFound)
  async update(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @Body() dto: UpdateArticleDto,
  ) {
    return ArticleResponseDto.from(await this.articles.update(user, id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @Auth()
  @ApiOperation({
    summary: 'Delete an article (author or admin)',
    description: 'Anyone else answers 403 `forbidden`; an unknown id 404 `not_found`.',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(ErrorCode.ValidationFailed, ErrorCode.Forbidden, ErrorCode.NotFound)
  remove(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    return this.articles.remove(user, id);
  }
}
