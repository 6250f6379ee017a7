import { Injectable } from '@nestjs/common';
import { DeliveryRepository } from '@app/identity/deliveries/delivery.repository';
import { DELIVERY_ATTEMPTS } from '@app/identity/deliveries/delivery-backoff';
import { NewDelivery } from '@app/identity/deliveries/delivery-fan-out';
import { FanOutJob, JobName } from '@app/identity/deliveries/delivery-jobs';
import { EventQueues } from '@app/identity/deliveries/event-queues';
import { IdentityEvent } from '@app/identity/events/identity-event';
import { DelayedError, Job } from 'bullmq';
import { eventBody } from '../delivery/event-body';
import { FIRST_ATTEMPT_BUDGET_MS, SubscriberPace } from '../delivery/subscriber-pace';
import { WebhookAttempt } from '../delivery/webhook-attempt';
import { JobProcessor } from '../queues/job-processor';

/** How soon a fan-out looks again when the previous change of its subject is not fanned out yet. */
const WAIT_FOR_PREDECESSOR_MS = 50;

/**
 * Turns one relayed event into one pending delivery per matching, enabled
 * subscription (one statement), then makes each webhook's first attempt right
 * here. A delivery job per subscriber is added only when one is needed: for a
 * failed first attempt (the rest of its schedule, so each endpoint retries on its
 * own), for a delivery held behind an earlier change, and for queue subscriptions.
 * A job per delivery costs more than the POST itself; most deliveries need none.
 *
 * Isolation: the job ends when its slowest first attempt does, and holds a fan-out
 * slot (everyone's events) until then. So a first attempt has a short budget
 * (FIRST_ATTEMPT_BUDGET_MS) and, timed out, goes on as a delivery job with the full
 * timeout; and a subscriber SubscriberPace knows as slow gets no first attempt
 * here for a while, its deliveries going straight to delivery jobs.
 *
 * Idempotent: the rows are recorded once (the event is marked fanned out in the
 * same statement, and (subscription, event) is unique). The job completes only
 * after every first attempt's outcome is stored and every retry job added; a
 * replay (after a crash) finds the event fanned out and adds a job for whatever
 * is still pending, so a delivery may be made twice, never lost.
 *
 * Ordering: a subject's change n is fanned out only after change n − 1, so its
 * deliveries exist by the time the fan-out of n checks whether one is held.
 */
@Injectable()
export class FanOutProcessor implements JobProcessor<JobName.FanOut> {
  readonly jobName = JobName.FanOut;

  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly queues: EventQueues,
    private readonly attempts: WebhookAttempt,
    private readonly pace: SubscriberPace,
  ) {}

  async process(job: Job<FanOutJob>, token: string | undefined): Promise<void> {
    const result = await this.deliveries.fanOut(job.data.eventId);
    switch (result.state) {
      case 'unknown':
        return;
      case 'waiting':
        await job.moveToDelayed(Date.now() + WAIT_FOR_PREDECESSOR_MS, token);
        throw new DelayedError(`waiting for the fan-out of ${result.subject} #${result.sequence - 1}`);
      case 'replayed': {
        const pending = await this.deliveries.pendingOfEvent(job.data.eventId);
        if (pending.length > 0) await this.queues.addDeliveries(pending);
        return;
      }
      case 'recorded':
        return this.deliver(result.event, result.deliveries);
      default:
        throw new Error(`unknown fan-out state ${String((result as { state: unknown }).state)}`);
    }
  }

  private async deliver(event: IdentityEvent, deliveries: NewDelivery[]): Promise<void> {
    // A held delivery's job keeps it behind the earlier change; a deferred one's job goes through that same gate.
    const now = deliveries.filter(
      (delivery) =>
        delivery.kind === 'webhook' &&
        delivery.heldByAttempts === null &&
        this.pace.admitFirstAttempt(delivery.subscriptionId),
    );
    const later = deliveries.filter((delivery) => !now.includes(delivery));
    if (later.length > 0) await this.queues.addDeliveries(later);
    if (now.length === 0) return;
    const body = eventBody(event);
    const place = { attempt: 1, final: DELIVERY_ATTEMPTS <= 1, timeoutMs: FIRST_ATTEMPT_BUDGET_MS };
    // Settle every attempt before failing the job, so a replay never runs beside an attempt still in flight.
    const results = await Promise.allSettled(
      now.map((delivery) => this.attempts.make(delivery, event.id, body, place)),
    );
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const retries = now.filter((_, i) => {
      const result = results[i];
      return result.status === 'fulfilled' && result.value.verdict === 'retry';
    });
    if (retries.length > 0) await this.queues.addRetries(retries);
  }
}
