import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { DEFAULT_DEPENDENCIES, Dependency, READINESS_DEPENDENCIES } from './readiness';
import { RedisHealthIndicator } from './redis.health';

/** `GET /health/live`, and `GET /health/ready` over what the app needs. */
@Module({})
export class HealthModule {
  static forRoot(dependencies: readonly Dependency[] = DEFAULT_DEPENDENCIES): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [RedisHealthIndicator, { provide: READINESS_DEPENDENCIES, useValue: dependencies }],
    };
  }
}
