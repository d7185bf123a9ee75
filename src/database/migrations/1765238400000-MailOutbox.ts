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
