import { DataSource } from 'typeorm';
import { parseDatabaseUrl } from '../../src/config/database.config';
import { buildDataSourceOptions } from '../../src/database/typeorm-options';
import { testDatabaseUrl } from './test-env';

/**
 * For MySQL/MariaDB: a database per Jest worker (`<db>_w<id>`), emptied before each app, so
 * test files can run in parallel and each starts from the migrations. SQLite needs nothing:
 * `sqlite::memory:` is fresh per app.
 */
export async function prepareTestDatabase(): Promise<string> {
  const url = testDatabaseUrl();
  const config = parseDatabaseUrl(url);
  if (config.type !== 'mysql') return url;
  const name = `${config.database}_w${process.env.JEST_WORKER_ID ?? '0'}`;
  const admin = new DataSource({ ...buildDataSourceOptions(config), entities: [], migrations: [] });
  await admin.initialize();
  try {
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.query(
      `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await admin.destroy();
  }
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}
