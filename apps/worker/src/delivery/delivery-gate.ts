import { Inject, Injectable } from '@nestjs/common';
import { DeliveryRepository } from '@app/identity/deliveries/delivery.repository';
import { DeliveryAttemptRow } from '@app/identity/deliveries/delivery.row';
import { DeliveryJob } from '@app/identity/deliveries/delivery-jobs';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import { DelayedError, Job } from 'bullmq';
import { FanOutMetrics } from '../metrics/fan-out.metrics';
import { timesSetAside } from './set-aside';

/** How soon a held delivery first looks again when the change before it has no attempt yet (in flight, or queued). */
const HOLD_IN_FLIGHT_MS = 50;
/** Each further look waits twice as long, up to this: the change before may wait for a slow subscriber's turn. */
const HOLD_IN_FLIGHT_MAX_MS = 1000;
/** How long at most a held delivery sleeps when the change before it is retrying. */
const HOLD_MAX_MS = 30_000;

/**
 * Decides whether a delivery job may make its attempt now.
 *
 * Ordering: for one subscriber, the changes of one subject go out in `sequence`
 * order. A delivery whose subscriber still has an earlier change of the same
 * subject pending steps aside (moved back to delayed, costing no attempt) and
 * looks again later. Only that subscriber's later changes of that subject wait:
 * every other delivery is a job of its own and goes on.
 */
@Injectable()
export class DeliveryGate {
  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly metrics: FanOutMetrics,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  /** The delivery to attempt, or undefined when there is nothing to do (done already, another round, deleted). */
  async admit(job: Job<DeliveryJob>, token: string | undefined): Promise<DeliveryAttemptRow | undefined> {
    const delivery = await this.deliveries.forAttempt(job.data.deliveryId);
    // A replayed job (after a crash, or a fan-out run twice) finds its work done: idempotent by the delivery row.
    if (!delivery || delivery.status !== 'pending' || delivery.round !== job.data.round) return undefined;
    if (!delivery.enabled) {
      await this.deliveries.abandon(delivery.id, delivery.round, 'the subscription is disabled');
      this.metrics.outcome(delivery.kind, 'failed');
      return undefined;
    }
    if (delivery.heldByAttempts !== null) {
      const wait =
        delivery.heldByAttempts === 0
          ? Math.min(HOLD_IN_FLIGHT_MS * 2 ** timesSetAside(job), HOLD_IN_FLIGHT_MAX_MS)
          : Math.min(this.config.deliveryBackoffMs, HOLD_MAX_MS);
      await job.moveToDelayed(Date.now() + wait, token);
      throw new DelayedError(`held behind an earlier change of ${delivery.subjectType} ${delivery.subjectId}`);
    }
    return delivery;
  }
}
