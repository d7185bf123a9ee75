import { DataSource } from 'typeorm';
import { installRefreshProcedure, REFRESH_PROCEDURE } from '../../auth/refresh-procedure';
import { DatabaseConfig } from '../../config/database.config';
import { runMigrationsExclusively } from '../../database/migration-lock';
import { buildDataSourceOptions } from '../../database/typeorm-options';
import { CliError } from '../cli-error';

/**
 * `refresh-procedure`: (re)creates the stored procedure refresh spends its token with on
 * MySQL/MariaDB (src/auth/refresh-procedure.ts), for a database whose migration ran without
 * `CREATE ROUTINE`. Pending migrations first, so the procedure matches the schema. Running
 * servers use it from their next start (they fell back to the statements for good).
 */
export async function refreshProcedure(config: DatabaseConfig): Promise<string> {
  if (config.type !== 'mysql') {
    throw new CliError('refresh-procedure: only for MySQL/MariaDB (SQLite has no procedures)');
  }
  const dataSource = await new DataSource(buildDataSourceOptions(config)).initialize();
  try {
    await runMigrationsExclusively(dataSource);
    const queryRunner = dataSource.createQueryRunner();
    try {
      let refusal = '';
      const installed = await installRefreshProcedure(queryRunner, (message) => {
        refusal = message;
      });
      if (!installed) throw new CliError(refusal);
      return `created ${REFRESH_PROCEDURE}: refresh spends a token in one round trip (after a restart)`;
    } finally {
      await queryRunner.release();
    }
  } finally {
    await dataSource.destroy();
  }
}
