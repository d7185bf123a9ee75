import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { DatabaseConfig } from '../config/database.config';
import { runMigrationsExclusively } from './migration-lock';
import { installMysqlDeadlines } from './mysql-deadlines';
import { buildDataSourceOptions } from './typeorm-options';

/**
 * The TypeORM connection. Pending migrations run at start, before the app serves; on MySQL
 * under a named lock, so several instances starting together migrate once.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        ...buildDataSourceOptions(config.getOrThrow<DatabaseConfig>('database')),
        // A failed start is reported once by main.ts; no retry loop hiding a bad URL.
        retryAttempts: 0,
      }),
      dataSourceFactory: async (options?: DataSourceOptions) => {
        const dataSource = await new DataSource(options as DataSourceOptions).initialize();
        try {
          await runMigrationsExclusively(dataSource);
          // After migrations, which may legitimately run long: from here every wait is bounded.
          installMysqlDeadlines(dataSource);
        } catch (error) {
          await dataSource.destroy();
          throw error;
        }
        return dataSource;
      },
    }),
  ],
})
export class DatabaseModule {}
