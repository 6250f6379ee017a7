import { Module } from '@nestjs/common';
import { SecretsModule } from '../secrets/secrets.module';
import { TenantsModule } from '../tenants/tenants.module';
import { SubscriptionRepository } from './subscription.repository';
import { SubscriptionsService } from './subscriptions.service';

@Module({
  imports: [TenantsModule, SecretsModule],
  providers: [SubscriptionRepository, SubscriptionsService],
  exports: [SubscriptionRepository, SubscriptionsService],
})
export class SubscriptionsModule {}
