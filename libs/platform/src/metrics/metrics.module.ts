import { Global, Module } from '@nestjs/common';
import { HttpMetrics, MetricsRegistry } from './http-metrics';
import { MetricsController } from './metrics.controller';

/** `GET /metrics` in Prometheus text, and the registry other modules add their metrics to. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsRegistry, HttpMetrics],
  exports: [MetricsRegistry, HttpMetrics],
})
export class MetricsModule {}
