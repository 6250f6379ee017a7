import { Controller, Get, Inject } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorFunction,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { Dependency, READINESS_DEPENDENCIES } from './readiness';
import { RedisHealthIndicator } from './redis.health';

/**
 * Health routes are not in the OpenAPI document: `swaggerDocumentation: false` also keeps
 * terminus from loading @nestjs/swagger at every boot (the OIDC app loads it on the document's
 * first request only).
 */
const HEALTH_CHECK = { noCache: true, swaggerDocumentation: false };

@Controller('health')
export class HealthController {
  private readonly checks: Record<Dependency, HealthIndicatorFunction> = {
    postgres: () => this.database.pingCheck('postgres', { timeout: 2000 }),
    redis: () => this.redis.pingCheck('redis'),
  };

  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    @Inject(READINESS_DEPENDENCIES) private readonly dependencies: readonly Dependency[],
  ) {}

  /** The process is up and serving HTTP. */
  @Get('live')
  @HealthCheck(HEALTH_CHECK)
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /** Everything this app needs answers (503 naming what does not). */
  @Get('ready')
  @HealthCheck(HEALTH_CHECK)
  ready(): Promise<HealthCheckResult> {
    return this.health.check(this.dependencies.map((dependency) => this.checks[dependency]));
  }
}
