import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** The transactional outbox of mails (src/mail/outbox-mail.entity.ts). Portable Table API. */
export class MailOutbox1765238400000 implements MigrationInterface {
  name = 'MailOutbox1765238400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const time = (name: string, isNullable = false) => ({
      name,
      type: 'datetime',
      precision: 3,
      isNullable,
    });
    await queryRunner.createTable(
      new Table({
        name: 'mail_outbox',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'kind', type: 'varchar', length: '40' },
          { name: 'recipient', type: 'varchar', length: '320' },
          { name: 'subject', type: 'varchar', length: '255' },
          { name: 'text_body', type: 'text' },
          { name: 'html_body', type: 'text', isNullable: true },
          { name: 'status', type: 'varchar', length: '10' },
          { name: 'attempts', type: 'int' },
          time('created_at'),
          time('next_attempt_at'),
          time('claimed_until', true),
          time('sent_at', true),
          { name: 'last_error', type: 'varchar', length: '500', isNullable: true },
        ],
      }),
    );
    // A subject or body may hold any character: utf8mb4 whatever the database's default
    // character set (as the Utf8mb4Tables migration made of the older tables).
    if (queryRunner.connection.driver.options.type === 'mysql') {
      await queryRunner.query(
        'ALTER TABLE `mail_outbox` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci',
      );
    }
    // The sender's claim query: due rows by status, oldest first.
    await queryRunner.createIndex(
      'mail_outbox',
      new TableIndex({ name: 'IDX_mail_outbox_due', columnNames: ['status', 'next_attempt_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('mail_outbox');
  }
}
