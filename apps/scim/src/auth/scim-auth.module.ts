import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TokensModule } from '@app/identity';
import { TenantLimitsModule } from '../tenant-limits/tenant-limits.module';
import { ScimAuthGuard } from './scim-auth.guard';

/** Bearer-token authentication for every SCIM route, and the tenant's turn (see `ScimAuthGuard`). */
@Module({
  imports: [TokensModule, TenantLimitsModule],
  providers: [ScimAuthGuard, { provide: APP_GUARD, useExisting: ScimAuthGuard }],
  exports: [ScimAuthGuard],
})
export class ScimAuthModule {}
