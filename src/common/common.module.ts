import { Global, Module } from '@nestjs/common';
import { AuditLog } from './audit/audit-log.service';
import { Clock } from './clock';

@Global()
@Module({ providers: [Clock, AuditLog], exports: [Clock, AuditLog] })
export class CommonModule {}
