import { Module } from '@nestjs/common';
import { SecretsModule } from '../secrets/secrets.module';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { DeliveriesService } from './deliveries.service';
import { DeliveryReplayRepository } from './delivery-replay.repository';
import { DeliveryReplayService } from './delivery-replay.service';
import { DeliveryRepository } from './delivery.repository';
import { EventQueues } from './event-queues';
import { WebhookTestService } from './webhook-test.service';

/** The delivery log, the fan-out's queues, and retries by hand. */
@Module({
  imports: [SubscriptionsModule, SecretsModule],
  providers: [
    DeliveryRepository,
    DeliveriesService,
    EventQueues,
    DeliveryReplayRepository,
    DeliveryReplayService,
    WebhookTestService,
  ],
  exports: [
    DeliveryRepository,
    DeliveriesService,
    EventQueues,
    DeliveryReplayService,
    WebhookTestService,
    SubscriptionsModule,
  ],
})
export class DeliveriesModule {}
