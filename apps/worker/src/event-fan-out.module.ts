import { Module } from '@nestjs/common';
import { DeliveriesModule } from '@app/identity/deliveries/deliveries.module';
import { AuditModule } from '@app/identity/audit/audit.module';
import { EventsFeedModule } from '@app/identity/events-feed/events-feed.module';
import { ProductClientsModule } from '@app/identity/product-clients/product-clients.module';
import { RequestLogModule } from '@app/identity/request-log/request-log.module';
import { SecretsModule } from '@app/identity/secrets/secrets.module';
import { SigningKeysModule } from '@app/identity/signing-keys/signing-keys.module';
import { BackchannelLogoutMetrics } from './backchannel/backchannel-logout.metrics';
import { BackchannelLogoutProcessor } from './backchannel/backchannel-logout.processor';
import { DeliveryGate } from './delivery/delivery-gate';
import { DeliveryOutcomes } from './delivery/delivery-outcomes';
import { QueueDeliveryProcessor } from './delivery/queue-delivery.processor';
import { SubscriberPace } from './delivery/subscriber-pace';
import { WebhookAttempt } from './delivery/webhook-attempt';
import { WebhookDeliveryProcessor } from './delivery/webhook-delivery.processor';
import { WebhookSender } from './delivery/webhook-sender';
import { FanOutProcessor } from './fan-out/fan-out.processor';
import { PruneDeliveriesProcessor } from './maintenance/prune-deliveries.processor';
import { PruneEventsFeedProcessor } from './maintenance/prune-events-feed.processor';
import { PruneRecordsProcessor } from './maintenance/prune-records.processor';
import { RedisDataLossService } from './maintenance/redis-data-loss.service';
import { RepairDeliveriesProcessor } from './maintenance/repair-deliveries.processor';
import { FanOutMetrics } from './metrics/fan-out.metrics';
import { OutboxRelayService } from './outbox/outbox-relay.service';
import { JOB_PROCESSORS, JobProcessor } from './queues/job-processor';
import { JobWorkers } from './queues/job-workers.service';

const PROCESSORS = [
  FanOutProcessor,
  WebhookDeliveryProcessor,
  QueueDeliveryProcessor,
  PruneDeliveriesProcessor,
  RepairDeliveriesProcessor,
  PruneEventsFeedProcessor,
  PruneRecordsProcessor,
  BackchannelLogoutProcessor,
];

/** The outbox relay, the fan-out and the deliveries (events, and products' back-channel logouts): the worker's whole job. */
@Module({
  imports: [
    DeliveriesModule,
    SecretsModule,
    EventsFeedModule,
    ProductClientsModule,
    SigningKeysModule,
    AuditModule,
    RequestLogModule,
  ],
  providers: [
    OutboxRelayService,
    FanOutMetrics,
    BackchannelLogoutMetrics,
    DeliveryGate,
    DeliveryOutcomes,
    WebhookSender,
    SubscriberPace,
    WebhookAttempt,
    ...PROCESSORS,
    { provide: JOB_PROCESSORS, inject: PROCESSORS, useFactory: (...processors: JobProcessor[]) => processors },
    JobWorkers,
    RedisDataLossService,
  ],
})
export class EventFanOutModule {}
