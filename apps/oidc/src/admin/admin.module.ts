import { Module } from '@nestjs/common';
import { TenantsModule, TokensModule } from '@app/identity';
import { DeliveriesModule } from '@app/identity/deliveries/deliveries.module';
import { AdminAuthGuard } from './admin-auth.guard';
import { ScimTokensController } from './scim-tokens.controller';
import { SubscriptionsController } from './subscriptions.controller';
import { TenantsController } from './tenants.controller';

/** The operators' API under `/admin/v1`. */
@Module({
  imports: [TenantsModule, TokensModule, DeliveriesModule],
  controllers: [TenantsController, ScimTokensController, SubscriptionsController],
  providers: [AdminAuthGuard],
})
export class AdminModule {}
