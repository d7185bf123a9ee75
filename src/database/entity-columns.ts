import { DataSource, EntityMetadata, EntityTarget } from 'typeorm';

/**
 * Columns of one entity in a hand-written, prebuilt SELECT, and the hydration of its rows.
 * For the per-request queries (access-token check, refresh): a TypeORM query builder
 * rebuilds and re-parses its SQL on every call and hydrates through a generic transformer,
 * which profiles showed as the largest cost of those requests. Values still go through the
 * driver's own conversions (dates, booleans, simple-array), so results equal TypeORM's.
 */
export class EntityColumns<T extends object> {
  /** `alias.col AS alias_col, …` for the SELECT list. */
  readonly select: string;
  private readonly metadata: EntityMetadata;
  private readonly columns: { key: string; property: string; column: ColumnOf }[];
  /** Columns by property name, resolved on first use (persist runs several times a request). */
  private readonly byProperty = new Map<string, ColumnOf>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly target: new () => T,
    alias: string,
    databaseNames: readonly string[],
  ) {
    this.metadata = dataSource.getMetadata(target as EntityTarget<T>);
    const q = (name: string) => dataSource.driver.escape(name);
    this.columns = databaseNames.map((name) => {
      const column = this.metadata.findColumnWithDatabaseName(name);
      if (!column) throw new Error(`${this.metadata.name} has no column ${name}`);
      return { key: `${alias}_${name}`, property: column.propertyName, column };
    });
    this.select = databaseNames
      .map((name) => `${alias}.${q(name)} AS ${q(`${alias}_${name}`)}`)
      .join(', ');
  }

  /** An entity instance from the row's `alias_col` values. */
  hydrate(row: Record<string, unknown>): T {
    const entity = new this.target() as Record<string, unknown>;
    for (const { key, property, column } of this.columns) {
      const raw = row[key];
      entity[property] =
        raw === null || raw === undefined
          ? null
          : this.dataSource.driver.prepareHydratedValue(raw, column);
    }
    return entity as T;
  }

  /** `value` as the driver writes it to the property's column (dates in the dialect's form). */
  persist(property: keyof T & string, value: unknown): unknown {
    let column = this.byProperty.get(property);
    if (!column) {
      column = this.metadata.findColumnWithPropertyName(property);
      if (!column) throw new Error(`${this.metadata.name} has no property ${property}`);
      this.byProperty.set(property, column);
    }
    return value === null ? null : this.dataSource.driver.preparePersistentValue(value, column);
  }
}

type ColumnOf = NonNullable<ReturnType<EntityMetadata['findColumnWithDatabaseName']>>;
