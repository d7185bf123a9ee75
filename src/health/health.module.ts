import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';

/**
 * Readiness on @nestjs/terminus. Its own logger is off: it would log an error line with the
 * check's details on every failed probe (every few seconds through an outage); the 503 is the
 * signal, and requests that hit the database log its unavailability already.
 */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
})
export class HealthModule {}
