"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.EntityColumns = void 0;
class EntityColumns {
    dataSource;
    target;
    select;
    metadata;
    columns;
    byProperty = new Map();
    constructor(dataSource, target, alias, databaseNames) {
        this.dataSource = dataSource;
        this.target = target;
        this.metadata = dataSource.getMetadata(target);
        const q = (name) => dataSource.driver.escape(name);
        this.columns = databaseNames.map((name) => {
            const column = this.metadata.findColumnWithDatabaseName(name);
            if (!column)
                throw new Error(`${this.metadata.name} has no column ${name}`);
            return { key: `${alias}_${name}`, property: column.propertyName, column };
        });
        this.select = databaseNames
            .map((name) => `${alias}.${q(name)} AS ${q(`${alias}_${name}`)}`)
            .join(', ');
    }
    hydrate(row) {
        const entity = new this.target();
        for (const { key, property, column } of this.columns) {
            const raw = row[key];
            entity[property] =
                raw === null || raw === undefined
                    ? null
                    : this.dataSource.driver.prepareHydratedValue(raw, column);
        }
        return entity;
    }
    persist(property, value) {
        let column = this.byProperty.get(property);
        if (!column) {
            column = this.metadata.findColumnWithPropertyName(property);
            if (!column)
                throw new Error(`${this.metadata.name} has no property ${property}`);
            this.byProperty.set(property, column);
        }
        return value === null ? null : this.dataSource.driver.preparePersistentValue(value, column);
    }
}
exports.EntityColumns = EntityColumns;
//# sourceMappingURL=entity-columns.js.map