import { Injectable, Logger } from '@nestjs/common';
import { DELIVERY_ATTEMPTS } from '@app/identity/deliveries/delivery-backoff';
import { DeliveryJob, JobName } from '@app/identity/deliveries/delivery-jobs';
import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import { JobProcessor } from '../queues/job-processor';
import { DeliveryGate } from './delivery-gate';
import { eventBody } from './event-body';
import { setAsideDelay, stepAsideForOutage } from './set-aside';
import { SubscriberPace } from './subscriber-pace';
import { AttemptResult, WebhookAttempt } from './webhook-attempt';
import { WEBHOOK_TIMEOUT_MS } from './webhook-sender';

/**
 * A job beyond its subscription's share of the delivery lane first looks again after
 * this long, each further time twice as long, up to the webhook timeout (when a slot
 * of that subscription surely freed), plus up to as much again: a dead subscriber's
 * backlog then costs the shared lane a look per job every 10–20 s, not every second.
 */
const CROWDED_WAIT_MS = 500;
const CROWDED_WAIT_MAX_MS = WEBHOOK_TIMEOUT_MS;

/**
 * The attempts of one webhook delivery after the fan-out's first (retries, held
 * deliveries, deliveries to slow subscribers, retries by hand). A 2xx ends the
 * delivery; 410 Gone disables the subscription; other 4xx (but 408, 429), and an
 * address the outbound rule refuses (private, loopback, link-local, also once
 * resolved), fail at once (UnrecoverableError); anything else is thrown so BullMQ retries on the
 * delivery backoff, and the last attempt marks the delivery failed.
 *
 * Isolation: a subscription has at most MAX_IN_FLIGHT_PER_SUBSCRIPTION jobs in
 * flight in this process; the others step aside (delayed, costing no attempt), so
 * a receiver that never answers cannot take every slot from other subscribers' retries.
 *
 * Only the receiver's answers use attempts: when the job fails outside the POST
 * (loading the delivery, storing the outcome: PostgreSQL or Redis away) it steps
 * aside too, so an outage never runs a delivery out of attempts and leaves its row
 * pending with no job. The attempt is made again: a re-delivery, never a loss.
 */
@Injectable()
export class WebhookDeliveryProcessor implements JobProcessor<JobName.WebhookDelivery> {
  readonly jobName = JobName.WebhookDelivery;
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);

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
      await job.moveToDelayed(Date.now() + setAsideDelay(job, CROWDED_WAIT_MS, CROWDED_WAIT_MAX_MS), token);
      throw new DelayedError(`subscription ${subscriptionId} has its share of the delivery lane in flight`);
    }
    try {
      await this.attempt(job, token);
    } finally {
      leave();
    }
  }

  private async attempt(job: Job<DeliveryJob>, token: string | undefined): Promise<void> {
    let result: AttemptResult;
    try {
      const delivery = await this.gate.admit(job, token);
      if (!delivery) return;
      result = await this.attempts.make(delivery, delivery.eventId, eventBody(delivery.event), {
        attempt: (job.data.attemptsBefore ?? 0) + job.attemptsMade + 1,
        final: job.attemptsMade + 1 >= (job.opts.attempts ?? DELIVERY_ATTEMPTS),
      });
    } catch (error) {
      if (error instanceof DelayedError) throw error;
      // The sender never throws: this is not the receiver's doing.
      return stepAsideForOutage(job, token, error, this.logger);
    }
    switch (result.verdict) {
      case 'delivered':
        return;
      case 'gone':
        throw new UnrecoverableError('410 Gone: the subscription was disabled');
      case 'rejected':
        throw new UnrecoverableError(`the receiver refused the event: ${result.error}`);
      case 'refused':
        throw new UnrecoverableError(result.error ?? 'refused by the outbound address rule');
      case 'retry':
        throw new Error(result.error ?? 'delivery failed');
      default:
        throw new Error(`unknown verdict ${String(result.verdict)}`);
    }
  }
}
