import { Module } from '@nestjs/common';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { DeliveriesService } from './deliveries.service';
import { DeliveryRepository } from './delivery.repository';
import { EventQueues } from './event-queues';

/** The delivery log, the fan-out's queues, and retries by hand. */
@Module({
  imports: [SubscriptionsModule],
  providers: [DeliveryRepository, DeliveriesService, EventQueues],
  exports: [DeliveryRepository, DeliveriesService, EventQueues, SubscriptionsModule],
})
export class DeliveriesModule {}
