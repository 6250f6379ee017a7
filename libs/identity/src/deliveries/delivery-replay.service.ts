import { Injectable } from '@nestjs/common';
import { IdentityError } from '../errors/identity-error';
import { IDENTITY_EVENT_TYPES } from '../events/identity-event';
import { CursorExpiredError } from '../events-feed/cursor-expired.error';
import { decodeFeedCursor, encodeFeedCursor } from '../events-feed/feed-cursor';
import { selects } from '../subscriptions/event-pattern';
import { ReplayInput } from '../subscriptions/replay.input';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';
import { QueueUnavailableError } from './deliveries.service';
import { DeliveryReplayRepository } from './delivery-replay.repository';
import { EventQueues } from './event-queues';
import { withTimeout } from './with-timeout';

const BATCH = 1000;
const QUEUE_TIMEOUT_MS = 5000;

/** What a replay did. */
export interface ReplayResult {
  /** Deliveries queued again (or for the first time). */
  readonly replayed: number;
  /** The feed cursor of the last event looked at: a later replay may go on from it. */
  readonly through: string | null;
}

/**
 * Delivers a subscription's events again from the events feed: the same events,
 * under the same ids (so the same `webhook-id`s), in feed order; a subject's
 * events keep their order through the delivery hold-back, as on first delivery.
 */
@Injectable()
export class DeliveryReplayService {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly replays: DeliveryReplayRepository,
    private readonly queues: EventQueues,
  ) {}

  async replay(subscriptionId: string, input: ReplayInput): Promise<ReplayResult> {
    const subscription = await this.subscriptions.get(subscriptionId);
    if (!subscription.enabled) throw IdentityError.conflict('the subscription is disabled; enable it before replaying');
    const types = IDENTITY_EVENT_TYPES.filter(
      (type) => selects(subscription.events, type) && (input.types === undefined || selects(input.types, type)),
    );
    const since = input.since === undefined ? null : new Date(input.since);
    const start = await this.startingPoint(input, since);
    if (start.after === null) return { replayed: 0, through: encodeFeedCursor(start.head) }; // nothing occurred since
    let after = start.after;
    let replayed = 0;
    for (;;) {
      const batch = await this.replays.nextBatch(
        subscriptionId,
        { after, since, types, tenantId: subscription.tenantId },
        BATCH,
      );
      // Retention may prune while a long replay runs.
      if (BigInt(after) < BigInt(batch.prunedThrough)) throw new CursorExpiredError();
      if (batch.deliveries.length > 0) {
        try {
          await withTimeout(
            this.queues.addDeliveries(
              batch.deliveries.map((delivery) => ({ ...delivery, subscriptionId, kind: subscription.kind })),
            ),
            QUEUE_TIMEOUT_MS,
            `no answer from Redis within ${QUEUE_TIMEOUT_MS} ms`,
          );
        } catch (error) {
          // The rows stay pending: the repair round queues them once Redis is back.
          throw new QueueUnavailableError('the queue is unavailable; the replay will resume when it is back', {
            cause: error,
          });
        }
      }
      replayed += batch.deliveries.length;
      if (batch.through === null) return { replayed, through: encodeFeedCursor(after) };
      after = batch.through;
    }
  }

  /**
   * Where the replay starts: after the cursor given (refused as the feed refuses it:
   * 410 when retention passed it, 400 past the head), or just before the first event
   * that occurred at or after `since` (null when none did).
   */
  private async startingPoint(input: ReplayInput, since: Date | null): Promise<{ after: string | null; head: string }> {
    const start = await this.replays.start(since);
    if (input.after === undefined) return { after: start.sinceStart, head: start.head };
    const after = decodeFeedCursor(input.after)!;
    if (BigInt(after) < BigInt(start.prunedThrough)) throw new CursorExpiredError();
    if (BigInt(after) > BigInt(start.head)) throw IdentityError.invalid('after is not a cursor of this feed');
    return { after, head: start.head };
  }
}
