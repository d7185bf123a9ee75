import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * The asymmetric access-token keys (JWT_ALG ES256, EdDSA or RS256): a handful of rows,
 * always read whole, so no index beyond the key id. Portable: the QueryRunner Table API.
 */
export class SigningKeys1765152000000 implements MigrationInterface {
  name = 'SigningKeys1765152000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.driver.options.type === 'mysql';
    const time = (name: string, isNullable = false) => ({
      name,
      type: 'datetime',
      precision: 3,
      isNullable,
    });
    await queryRunner.createTable(
      new Table({
        name: 'signing_keys',
        columns: [
          // A base64url thumbprint is case-sensitive: a binary collation on MySQL.
          {
            name: 'id',
            type: 'varchar',
            length: '64',
            isPrimary: true,
            ...(mysql && { charset: 'utf8mb4', collation: 'utf8mb4_bin' }),
          },
          { name: 'algorithm', type: 'varchar', length: '10' },
          { name: 'state', type: 'varchar', length: '10' },
          { name: 'public_jwk', type: 'text' },
          { name: 'private_key', type: 'text' },
          time('created_at'),
          time('activates_at', true),
          time('retired_at', true),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('signing_keys');
  }
}
