import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadDatabaseConfig } from './src/config/database.config';
import { buildDataSourceOptions } from './src/database/typeorm-options';

/** DataSource for the TypeORM CLI (`npm run migration:run`); same options as the app. */
export default new DataSource(buildDataSourceOptions(loadDatabaseConfig(process.env)));
