import { Module } from '@nestjs/common';
import { MailTemplates } from './mail-templates';
import { OutboxService } from './outbox.service';

/** Mail: templates and the transactional outbox with its sender (one per instance). */
@Module({
  providers: [OutboxService, MailTemplates],
  exports: [OutboxService, MailTemplates],
})
export class MailModule {}
