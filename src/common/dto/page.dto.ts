/** A page of a list: `{items, total, page, limit}`. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  limit: number;
}
