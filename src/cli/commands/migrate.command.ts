import { DataSource } from 'typeorm';
import { DatabaseConfig } from '../../config/database.config';
import { runMigrationsExclusively } from '../../database/migration-lock';
import { buildDataSourceOptions } from '../../database/typeorm-options';

/**
 * `migrate`: the pending migrations, run as the server runs them at start (under the MySQL
 * named lock, so it is safe beside instances starting). No Nest context: nothing else to load.
 */
export async function migrate(config: DatabaseConfig): Promise<string> {
  const dataSource = await new DataSource(buildDataSourceOptions(config)).initialize();
  try {
    const ran = await runMigrationsExclusively(dataSource);
    const total = dataSource.migrations.length;
    if (ran.length === 0) return `nothing to apply: all ${total} migrations are in place`;
    return [
      ...ran.map((migration) => `applied ${migration.name}`),
      `${ran.length} migration(s) applied; all ${total} are in place`,
    ].join('\n');
  } finally {
    await dataSource.destroy();
  }
}
