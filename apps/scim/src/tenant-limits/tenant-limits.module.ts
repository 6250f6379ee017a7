import { Module } from '@nestjs/common';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import { TenantLimiter } from './tenant-limiter';
import { TenantTurns } from './tenant-turns';

/**
 * Slots of the process lent to requests of bounded cost beyond their tenant's bounds while no other tenant
 * waits (see TenantLimiter): with the database pool of 20, twelve connections stay for the tenants' own turns.
 */
export const SPARE_SLOTS = 8;

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
          spareSlots: SPARE_SLOTS,
        }),
    },
    TenantTurns,
  ],
  exports: [TenantLimiter, TenantTurns],
})
export class TenantLimitsModule {}
