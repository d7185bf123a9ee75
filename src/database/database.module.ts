import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseConfig } from '../config/database.config';
import { buildDataSourceOptions } from './typeorm-options';

/** The TypeORM connection; pending migrations run at start, before the app serves. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        ...buildDataSourceOptions(config.getOrThrow<DatabaseConfig>('database')),
        migrationsRun: true,
        // A failed start is reported once by main.ts; no retry loop hiding a bad URL.
        retryAttempts: 0,
      }),
    }),
  ],
})
export class DatabaseModule {}
