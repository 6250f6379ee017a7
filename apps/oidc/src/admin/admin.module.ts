import { Module } from '@nestjs/common';
import { AccessModule, TenantsModule, TokensModule } from '@app/identity';
import { DeliveriesModule } from '@app/identity/deliveries/deliveries.module';
import { OidcConnectionsModule } from '@app/identity/oidc-connections/oidc-connections.module';
import { ProductClientsModule } from '@app/identity/product-clients/product-clients.module';
import { AuthModule } from '../auth/auth.module';
import { AdminAuthGuard } from './admin-auth.guard';
import { ClientsController } from './clients.controller';
import { GroupRolesController } from './group-roles.controller';
import { OidcConnectionController } from './oidc-connection.controller';
import { ScimTokensController } from './scim-tokens.controller';
import { SubscriptionsController } from './subscriptions.controller';
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
  ],
  providers: [AdminAuthGuard],
})
export class AdminModule {}
