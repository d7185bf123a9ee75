"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.migrate = migrate;
const typeorm_1 = require("typeorm");
const migration_lock_1 = require("../../database/migration-lock");
const typeorm_options_1 = require("../../database/typeorm-options");
async function migrate(config) {
    const dataSource = await new typeorm_1.DataSource((0, typeorm_options_1.buildDataSourceOptions)(config)).initialize();
    try {
        const ran = await (0, migration_lock_1.runMigrationsExclusively)(dataSource);
        const total = dataSource.migrations.length;
        if (ran.length === 0)
            return `nothing to apply: all ${total} migrations are in place`;
        return [
            ...ran.map((migration) => `applied ${migration.name}`),
            `${ran.length} migration(s) applied; all ${total} are in place`,
        ].join('\n');
    }
    finally {
        await dataSource.destroy();
    }
}
//# sourceMappingURL=migrate.command.js.map