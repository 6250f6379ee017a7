import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AccessModule, TenantsModule, TokensModule } from '@app/identity';
import { DeliveriesModule } from '@app/identity/deliveries/deliveries.module';
import { OidcConnectionsModule } from '@app/identity/oidc-connections/oidc-connections.module';
import { ProductClientsModule } from '@app/identity/product-clients/product-clients.module';
import { AuditModule } from '@app/identity/audit/audit.module';
import { RequestLogModule } from '@app/identity/request-log/request-log.module';
import { ProvisioningModule } from '@app/identity/provisioning/provisioning.module';
import { MonitoringModule } from '@app/identity/monitoring/monitoring.module';
import { DomainsModule } from '@app/identity/domains/domains.module';
import { SetupGuideModule } from '@app/identity/setup-guide/setup-guide.module';
import { AuthModule } from '../auth/auth.module';
import { PortalModule } from '../portal/portal.module';
import { SetupLinksModule } from '@app/identity/setup-links/setup-links.module';
import { AdminAuthGuard } from './admin-auth.guard';
import { AuditController } from './audit.controller';
import { AuditInterceptor } from './audit/audit.interceptor';
import { AuditRecorder } from './audit/audit-recorder';
import { AuditSnapshots } from './audit/audit-snapshots';
import { ClientsController } from './clients.controller';
import { ConsoleController } from './console.controller';
import { DeliveryHealthController } from './delivery-health.controller';
import { DomainsController } from './domains.controller';
import { OidcTestSignInsController } from './oidc-test-sign-ins.controller';
import { SetupGuideController } from './setup-guide.controller';
import { GroupRolesController } from './group-roles.controller';
import { OidcConnectionController } from './oidc-connection.controller';
import { ProvisioningController } from './provisioning.controller';
import { ScimRequestsController } from './scim-requests.controller';
import { ScimTokensController } from './scim-tokens.controller';
import { SetupLinksController } from './setup-links.controller';
import { SubscriptionsController } from './subscriptions.controller';
import { TenantGroupsController } from './tenant-groups.controller';
import { TenantUsersController } from './tenant-users.controller';
import { TenantsController } from './tenants.controller';
import { UserSessionsController } from './user-sessions.controller';

/** The operators' API under `/admin/v1`. */
@Module({
  imports: [
    TenantsModule,
    TokensModule,
    DeliveriesModule,
    AccessModule,
    OidcConnectionsModule,
    AuthModule,
    ProductClientsModule,
    AuditModule,
    RequestLogModule,
    ProvisioningModule,
    MonitoringModule,
    DomainsModule,
    SetupGuideModule,
    PortalModule,
    SetupLinksModule,
  ],
  controllers: [
    TenantsController,
    ScimTokensController,
    SubscriptionsController,
    TenantUsersController,
    GroupRolesController,
    OidcConnectionController,
    ClientsController,
    UserSessionsController,
    AuditController,
    ScimRequestsController,
    ProvisioningController,
    TenantGroupsController,
    DeliveryHealthController,
    ConsoleController,
    DomainsController,
    OidcTestSignInsController,
    SetupGuideController,
    SetupLinksController,
  ],
  providers: [
    AdminAuthGuard,
    AuditRecorder,
    AuditSnapshots,
    // Global, so that every state-changing /admin/v1 route is audited, a new one included.
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
  ],
})
export class AdminModule {}
