import { DynamicModule, Global, Module } from '@nestjs/common';
import { MailTemplates } from './mail-templates';
import { OUTBOX_SENDER, OutboxService } from './outbox.service';

/**
 * Mail: templates and the transactional outbox. `sender: true` (the server) runs this
 * process's sender loop; the command line writes mails into the outbox only, and a running
 * server sends them.
 */
@Global()
@Module({})
export class MailModule {
  static forRoot(options: { sender: boolean }): DynamicModule {
    return {
      module: MailModule,
      providers: [
        OutboxService,
        MailTemplates,
        { provide: OUTBOX_SENDER, useValue: options.sender },
      ],
      exports: [OutboxService, MailTemplates],
    };
  }
}
