import { Logger } from '@nestjs/common';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { installRefreshProcedure, REFRESH_PROCEDURE } from '../../auth/refresh-procedure';

/**
 * MySQL/MariaDB: the stored procedure that spends a refresh token in one round trip
 * (src/auth/refresh-procedure.ts). Without `CREATE ROUTINE` it logs a warning and completes:
 * refresh then sends its statements one by one, as before. Nothing to do on SQLite.
 */
export class RefreshProcedure1765584000000 implements MigrationInterface {
  name = 'RefreshProcedure1765584000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type !== 'mysql') return;
    const logger = new Logger('Migrations');
    await installRefreshProcedure(queryRunner, (message) => logger.warn(message));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type !== 'mysql') return;
    await queryRunner.query(`DROP PROCEDURE IF EXISTS \`${REFRESH_PROCEDURE}\``);
  }
}
