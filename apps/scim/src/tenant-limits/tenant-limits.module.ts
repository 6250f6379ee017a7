import { Module } from '@nestjs/common';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import { TenantLimiter } from './tenant-limiter';
import { TenantTurns } from './tenant-turns';

/** Per-tenant and per-token concurrency of the SCIM app (see TenantLimiter). */
@Module({
  providers: [
    {
      provide: TenantLimiter,
      inject: [APP_CONFIG],
      useFactory: ({ scimLimits }: ResolvedConfig) =>
        new TenantLimiter({
          tenantConcurrency: scimLimits.tenantConcurrency,
          tokenConcurrency: scimLimits.tokenConcurrency,
          tenantQueue: scimLimits.tenantQueue,
          // A request waits for a turn no longer than one statement may run.
          maxWaitMs: scimLimits.statementTimeoutMs,
        }),
    },
    TenantTurns,
  ],
  exports: [TenantLimiter, TenantTurns],
})
export class TenantLimitsModule {}
