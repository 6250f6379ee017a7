import { Injectable, Logger } from '@nestjs/common';
import { DeliveryRepository } from '@app/identity/deliveries/delivery.repository';
import { DELIVERY_ATTEMPTS } from '@app/identity/deliveries/delivery-backoff';
import { NewDelivery } from '@app/identity/deliveries/delivery-fan-out';
import { FanOutJob, JobName } from '@app/identity/deliveries/delivery-jobs';
import { EventQueues } from '@app/identity/deliveries/event-queues';
import { IdentityEvent } from '@app/identity/events/identity-event';
import { DelayedError, Job } from 'bullmq';
import { DeliveryOutcomes } from '../delivery/delivery-outcomes';
import { eventBody } from '../delivery/event-body';
import { FIRST_ATTEMPT_BUDGET_MS, SubscriberPace } from '../delivery/subscriber-pace';
import { AttemptPlace, AttemptResult, WebhookAttempt } from '../delivery/webhook-attempt';
import { WEBHOOK_TIMEOUT_MS } from '../delivery/webhook-sender';
import { JobProcessor } from '../queues/job-processor';

/** How soon a fan-out looks again when the previous change of its subject is not fanned out yet. */
const WAIT_FOR_PREDECESSOR_MS = 50;
/**
 * A first attempt past its budget runs on to the sender's timeout; its delivery job
 * starts this much later, when that attempt has surely ended and its outcome is stored.
 */
export const HAND_OFF_DELAY_MS = WEBHOOK_TIMEOUT_MS + 2000;

/** A first attempt's result, or `running` when it is still running at the budget and goes on in the background. */
type FirstAttempt = AttemptResult | 'running';

/**
 * Turns one relayed event into one pending delivery per matching, enabled
 * subscription (one statement), then makes each webhook's first attempt right
 * here. A delivery job per subscriber is added only when one is needed: for a
 * failed first attempt (the rest of its schedule, so each endpoint retries on its
 * own), for a delivery held behind an earlier change, and for queue subscriptions.
 * A job per delivery costs more than the POST itself; most deliveries need none.
 *
 * Isolation: the job waits for its first attempts, holding a fan-out slot
 * (everyone's events) meanwhile. So it waits at most FIRST_ATTEMPT_BUDGET_MS: an
 * attempt still running then is not aborted (the receiver has the contract's full
 * timeout, and answering in 2 s must not earn it the event twice) but goes on in
 * the background and records its outcome as usual, while a delivery job, delayed
 * until that attempt has surely ended (HAND_OFF_DELAY_MS), takes the delivery over:
 * it finds the row delivered (and does nothing) or the attempt recorded (and makes
 * the next one), or, should the worker have died meanwhile, makes it again. The
 * subscriber is remembered as slow: SubscriberPace then gives it no first attempt
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
  private readonly logger = new Logger(FanOutProcessor.name);

  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly queues: EventQueues,
    private readonly attempts: WebhookAttempt,
    private readonly pace: SubscriberPace,
    private readonly outcomes: DeliveryOutcomes,
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
    const place = { attempt: 1, final: DELIVERY_ATTEMPTS <= 1 };
    // Settle every attempt (or reach its budget) before failing the job.
    const results = await Promise.allSettled(now.map((delivery) => this.firstAttempt(delivery, event.id, body, place)));
    const states = results.map((result) =>
      result.status === 'rejected' ? 'error' : result.value === 'running' ? 'running' : result.value.verdict,
    );
    // First: a replay of a failed job then finds these jobs (same ids) and adds none beside the attempts still running.
    const running = now.filter((_, i) => states[i] === 'running');
    if (running.length > 0) await this.queues.addRetries(running, HAND_OFF_DELAY_MS);
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const retries = now.filter((_, i) => states[i] === 'retry');
    if (retries.length > 0) await this.queues.addRetries(retries);
  }

  /** Makes a first attempt, waiting at most the budget for it; past that, it runs on in the background. */
  private async firstAttempt(
    delivery: NewDelivery,
    eventId: string,
    body: string,
    place: AttemptPlace,
  ): Promise<FirstAttempt> {
    const attempt = this.attempts.make(delivery, eventId, body, place);
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<'running'>((resolve) => {
      timer = setTimeout(() => resolve('running'), FIRST_ATTEMPT_BUDGET_MS);
    });
    const first = await Promise.race([attempt, budget]).finally(() => clearTimeout(timer));
    if (first !== 'running') return first;
    this.pace.overBudget(delivery.subscriptionId);
    const where = `delivery=${delivery.id} subscription=${delivery.subscriptionId} event=${eventId}`;
    this.outcomes.awaitOnShutdown(
      // Its delivery job makes the attempt again should the outcome not be stored.
      attempt.catch((error: Error) => this.logger.warn(`event.delivery.unrecorded ${where}: ${error.message}`)),
    );
    return 'running';
  }
}
