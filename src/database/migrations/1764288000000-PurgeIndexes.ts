import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * The token purge selects sessions by absolute end (`expires_at < cutoff`); without this
 * index every run would scan the whole sessions table. Its tokens are then found through
 * the existing `idx_refresh_tokens_session_id`. Portable: only the QueryRunner Table API.
 */
export class PurgeIndexes1764288000000 implements MigrationInterface {
  name = 'PurgeIndexes1764288000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'sessions',
      new TableIndex({ name: 'idx_sessions_expires_at', columnNames: ['expires_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('sessions', 'idx_sessions_expires_at');
  }
}
