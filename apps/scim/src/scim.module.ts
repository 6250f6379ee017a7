import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { DatabaseModule } from '@app/identity';
import { PlatformModule, ResolvedConfig } from '@app/platform';
import { ScimAuthModule } from './auth/scim-auth.module';
import { DiscoveryModule } from './discovery/discovery.module';
import { RouteTable } from './errors/route-table';
import { ScimBodyParser } from './errors/scim-body.parser';
import { ScimExceptionFilter } from './errors/scim-exception.filter';
import { ScimGroupsModule } from './groups/groups.module';
import { ScimRequestLogModule } from './request-log/scim-request-log.module';
import { ScimRootSearchModule } from './root/root-search.module';
import { TenantLimitsModule } from './tenant-limits/tenant-limits.module';
import { ScimUsersModule } from './users/users.module';

/** The SCIM 2.0 provisioning app (`/scim/v2`). */
@Module({})
export class ScimModule {
  static forRoot(config: ResolvedConfig): DynamicModule {
    return {
      module: ScimModule,
      imports: [
        // SCIM writes only to PostgreSQL (events go through the outbox): it serves while Redis is away.
        // Its request lines are written by createScimApp's hook (logRequestsFromHook).
        PlatformModule.forRoot(config, { needs: ['postgres'], requestLines: 'hook' }),
        // One tenant's costly work ends at the statement timeout instead of holding a connection.
        DatabaseModule.withLimits({ statementTimeoutMs: config.scimLimits.statementTimeoutMs }),
        ScimAuthModule,
        ScimRequestLogModule,
        TenantLimitsModule,
        DiscoveryModule,
        ScimUsersModule,
        ScimGroupsModule,
        ScimRootSearchModule,
      ],
      providers: [RouteTable, ScimBodyParser, { provide: APP_FILTER, useClass: ScimExceptionFilter }],
    };
  }
}
