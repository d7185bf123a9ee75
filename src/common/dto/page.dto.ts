import { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

/** A page of a list: `{items, total, page, limit}`. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  limit: number;
}

/**
 * The Swagger-documented response class for a page of `itemType`:
 * `export class ArticlePageDto extends PageDtoOf(ArticleResponseDto) {}`.
 */
export function PageDtoOf<T>(itemType: Type<T>): Type<Page<T>> {
  class PageDto implements Page<T> {
    @ApiProperty({ type: [itemType] })
    items: T[];

    @ApiProperty({ example: 42 })
    total: number;

    @ApiProperty({ example: 1 })
    page: number;

    @ApiProperty({ example: 20 })
    limit: number;
  }
  return PageDto;
}

/** Maps a page's items, keeping its counts. */
export function mapPage<T, R>(page: Page<T>, map: (item: T) => R): Page<R> {
  return { ...page, items: page.items.map(map) };
}
