import { loggableMessage } from '@app/platform/logging/loggable-error';
import { Injectable, Logger } from '@nestjs/common';
import { IdentityError } from '../errors/identity-error';
import { ListDeliveriesQuery } from '../subscriptions/subscription.input';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';
import { DeliveryRepository } from './delivery.repository';
import { DeliveryRow } from './delivery.row';
import { EventQueues } from './event-queues';
import { withTimeout } from './with-timeout';

/** A page of the delivery log; `nextCursor` fetches the next (older) page. */
export interface DeliveryPage {
  readonly deliveries: DeliveryRow[];
  readonly nextCursor: string | null;
}

/** Raised when a retry could not be queued (Redis is away); the delivery stays failed. */
export class QueueUnavailableError extends Error {
  override readonly name = 'QueueUnavailableError';
}

const QUEUE_TIMEOUT_MS = 5000;

/** The delivery log as operators see it, and retries by hand. */
@Injectable()
export class DeliveriesService {
  private readonly logger = new Logger(DeliveriesService.name);

  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly deliveries: DeliveryRepository,
    private readonly queues: EventQueues,
  ) {}

  async list(subscriptionId: string, query: ListDeliveriesQuery): Promise<DeliveryPage> {
    await this.subscriptions.get(subscriptionId);
    // One more than asked tells whether another page follows.
    const rows = await this.deliveries.page(subscriptionId, query.status, query.limit + 1, query.cursor);
    const page = rows.slice(0, query.limit);
    return { deliveries: page, nextCursor: rows.length > query.limit ? page[page.length - 1].id : null };
  }

  /** Queues a failed delivery again, as a new round of attempts; 409 unless it is failed. */
  async retry(subscriptionId: string, deliveryId: string): Promise<DeliveryRow> {
    const subscription = await this.subscriptions.get(subscriptionId);
    const current = await this.deliveries.find(subscriptionId, deliveryId);
    if (!current)
      throw IdentityError.notFound(`no delivery with id "${deliveryId}" in subscription "${subscriptionId}"`);
    if (!subscription.enabled) throw IdentityError.conflict('the subscription is disabled; enable it before retrying');
    const reopened = await this.deliveries.reopen(subscriptionId, deliveryId);
    if (!reopened) throw IdentityError.conflict(`only a failed delivery can be retried; this one is ${current.status}`);
    try {
      await withTimeout(
        this.queues.addDeliveries([
          { id: reopened.id, round: reopened.round, subscriptionId, kind: subscription.kind },
        ]),
        QUEUE_TIMEOUT_MS,
        `no answer from Redis within ${QUEUE_TIMEOUT_MS} ms`,
      );
    } catch (error) {
      await this.deliveries.unreopen(reopened.id, reopened.round, 'the retry could not be queued');
      this.logger.warn(`delivery.retry.unqueued delivery=${reopened.id}: ${loggableMessage(error)}`);
      throw new QueueUnavailableError('the queue is unavailable; try again later', { cause: error });
    }
    return reopened;
  }
}
