import { DynamicModule, Module } from '@nestjs/common';
import { ResolvedConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { RedisModule } from './redis/redis.module';

/** What every gateway app has: configuration, JSON logs, metrics, health probes and Redis. */
@Module({})
export class PlatformModule {
  static forRoot(config: ResolvedConfig): DynamicModule {
    return {
      module: PlatformModule,
      imports: [ConfigModule.forRoot(config), LoggingModule, MetricsModule, RedisModule, HealthModule],
    };
  }
}
