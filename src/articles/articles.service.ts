import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { assertOwnerOrAdmin } from '../auth/ownership';
import { AuthUser } from '../auth/types/auth-user';
import { Clock } from '../common/clock';
import { Page } from '../common/dto/page.dto';
import { AppException, ErrorCode } from '../common/errors';
import { CreateArticleDto } from './dto/create-article.dto';
import { UpdateArticleDto } from './dto/update-article.dto';
import { Article } from './entities/article.entity';

/** The example resource: public reads, authenticated writes, author-or-admin changes. */
@Injectable()
export class ArticlesService {
  constructor(
    @InjectRepository(Article) private readonly articles: Repository<Article>,
    private readonly clock: Clock,
  ) {}

  async findAll(page: number, limit: number): Promise<Page<Article>> {
    const [items, total] = await this.articles.findAndCount({
      order: { createdAt: 'DESC', id: 'ASC' },
      skip: (page - 1) * limit,
      take: limit,
    });
    return { items, total, page, limit };
  }

  async findOne(id: string): Promise<Article> {
    const article = await this.articles.findOneBy({ id });
    if (!article) throw new AppException(ErrorCode.NotFound, 'Article not found');
    return article;
  }

  create(author: AuthUser, dto: CreateArticleDto): Promise<Article> {
    const now = this.clock.now();
    return this.articles.save(
      this.articles.create({
        ...dto,
        id: randomUUID(),
        authorId: author.id,
        createdAt: now,
        updatedAt: now,
      }),
    );
  }

  async update(caller: AuthUser, id: string, dto: UpdateArticleDto): Promise<Article> {
    const article = await this.findOne(id);
    assertOwnerOrAdmin(article.authorId, caller);
    Object.assign(article, dto, { updatedAt: this.clock.now() });
    return this.articles.save(article);
  }

  async remove(caller: AuthUser, id: string): Promise<void> {
    const article = await this.findOne(id);
    assertOwnerOrAdmin(article.authorId, caller);
    await this.articles.delete({ id });
  }
}
