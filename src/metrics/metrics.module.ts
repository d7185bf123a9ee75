import { Global, Module } from '@nestjs/common';
import { MetricsAccessGuard } from './metrics-access.guard';
import { MetricsController } from './metrics.controller';
import { Metrics } from './metrics.service';

/** Prometheus metrics: the registry and counters (global: the exception filter counts too). */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [Metrics, MetricsAccessGuard],
  exports: [Metrics],
})
export class MetricsModule {}
