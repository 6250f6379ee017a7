import { Injectable } from '@nestjs/common';
import { DELIVERY_ATTEMPTS } from '@app/identity/deliveries/delivery-backoff';
import { DeliveryJob, JobName } from '@app/identity/deliveries/delivery-jobs';
import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import { JobProcessor } from '../queues/job-processor';
import { DeliveryGate } from './delivery-gate';
import { eventBody } from './event-body';
import { SubscriberPace } from './subscriber-pace';
import { WebhookAttempt } from './webhook-attempt';

/** A job beyond its subscription's share of the delivery lane looks again after this long, plus up to as much again. */
const CROWDED_WAIT_MS = 500;

/**
 * The attempts of one webhook delivery after the fan-out's first (retries, held
 * deliveries, deliveries to slow subscribers, retries by hand). A 2xx ends the
 * delivery; 410 Gone disables the subscription; other 4xx (but 408, 429) fail at
 * once (UnrecoverableError); anything else is thrown so BullMQ retries on the
 * delivery backoff, and the last attempt marks the delivery failed.
 *
 * Isolation: a subscription has at most MAX_IN_FLIGHT_PER_SUBSCRIPTION jobs in
 * flight in this process; the others step aside (delayed, costing no attempt), so
 * a receiver that never answers cannot take every slot from other subscribers' retries.
 */
@Injectable()
export class WebhookDeliveryProcessor implements JobProcessor<JobName.WebhookDelivery> {
  readonly jobName = JobName.WebhookDelivery;

  constructor(
    private readonly gate: DeliveryGate,
    private readonly attempts: WebhookAttempt,
    private readonly pace: SubscriberPace,
  ) {}

  async process(job: Job<DeliveryJob>, token: string | undefined): Promise<void> {
    const { subscriptionId } = job.data;
    // Jobs queued before payloads named their subscription run unmetered.
    const leave = subscriptionId === undefined ? () => undefined : this.pace.enter(subscriptionId);
    if (!leave) {
      await job.moveToDelayed(Date.now() + CROWDED_WAIT_MS * (1 + Math.random()), token);
      throw new DelayedError(`subscription ${subscriptionId} has its share of the delivery lane in flight`);
    }
    try {
      await this.attempt(job, token);
    } finally {
      leave();
    }
  }

  private async attempt(job: Job<DeliveryJob>, token: string | undefined): Promise<void> {
    const delivery = await this.gate.admit(job, token);
    if (!delivery) return;
    const result = await this.attempts.make(delivery, delivery.eventId, eventBody(delivery.event), {
      attempt: (job.data.attemptsBefore ?? 0) + job.attemptsMade + 1,
      final: job.attemptsMade + 1 >= (job.opts.attempts ?? DELIVERY_ATTEMPTS),
    });
    switch (result.verdict) {
      case 'delivered':
        return;
      case 'gone':
        throw new UnrecoverableError('410 Gone: the subscription was disabled');
      case 'rejected':
        throw new UnrecoverableError(`the receiver refused the event: ${result.error}`);
      case 'retry':
        throw new Error(result.error ?? 'delivery failed');
      default:
        throw new Error(`unknown verdict ${String(result.verdict)}`);
    }
  }
}
