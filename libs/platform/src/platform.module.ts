import { DynamicModule, Module } from '@nestjs/common';
import { ResolvedConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';
import { DEFAULT_DEPENDENCIES, Dependency } from './health/readiness';
import { LoggingModule, RequestLines } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { RateLimitsModule } from './rate-limits/rate-limits.module';
import { RedisModule } from './redis/redis.module';

/** What sets one app apart on the platform. */
export interface PlatformOptions {
  /** What `GET /health/ready` waits for; PostgreSQL and Redis unless the app serves without Redis. */
  readonly needs?: readonly Dependency[];
  /** `hook`: the app writes its request lines with logRequestsFromHook (no pino-http middleware). */
  readonly requestLines?: RequestLines;
}

/** What every gateway app has: configuration, logs, metrics, health probes, Redis and rate limits. */
@Module({})
export class PlatformModule {
  static forRoot(config: ResolvedConfig, options: PlatformOptions = {}): DynamicModule {
    const needs = options.needs ?? DEFAULT_DEPENDENCIES;
    return {
      module: PlatformModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(options.requestLines),
        MetricsModule,
        RedisModule,
        RateLimitsModule,
        HealthModule.forRoot(needs),
      ],
    };
  }
}
