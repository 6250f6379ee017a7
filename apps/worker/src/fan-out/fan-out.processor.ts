import { loggableMessage } from '@app/platform/logging/loggable-error';
import { Injectable, Logger } from '@nestjs/common';
import { DeliveryRepository } from '@app/identity/deliveries/delivery.repository';
import { DELIVERY_ATTEMPTS } from '@app/identity/deliveries/delivery-backoff';
import { NewDelivery, RecordedFanOut } from '@app/identity/deliveries/delivery-fan-out';
import { FanOutJob, JobName } from '@app/identity/deliveries/delivery-jobs';
import { EventQueues } from '@app/identity/deliveries/event-queues';
import { DelayedError, Job } from 'bullmq';
import { DeliveryOutcomes } from '../delivery/delivery-outcomes';
import { eventBody } from '../delivery/event-body';
import { FIRST_ATTEMPT_BUDGET_MS, SubscriberPace } from '../delivery/subscriber-pace';
import { AttemptPlace, AttemptResult, WebhookAttempt } from '../delivery/webhook-attempt';
import { WEBHOOK_TIMEOUT_MS } from '../delivery/webhook-sender';
import { JobProcessor } from '../queues/job-processor';

/**
 * First attempts the fan-out waits for at once in one process, at most (what 64 fan-out jobs
 * of one event to 10 subscribers made before jobs took batches). A batch's attempts beyond it
 * wait for a turn before they start, and their budget starts with them: without it, a backlog
 * of large batches queued thousands of requests on the receivers' connections, each past its
 * budget, and the slowness breaker sent every subscriber to delivery jobs (measured: 0.7×
 * bare BullMQ instead of 1.8×). An attempt past its budget gives its turn back.
 */
export const MAX_FIRST_ATTEMPTS_IN_FLIGHT = 640;

/** How soon a fan-out looks again when the previous change of its subject is not fanned out yet. */
const WAIT_FOR_PREDECESSOR_MS = 50;
/**
 * A first attempt past its budget runs on to the sender's timeout; its delivery job
 * starts this much later, when that attempt has surely ended and its outcome is stored.
 */
export const HAND_OFF_DELAY_MS = WEBHOOK_TIMEOUT_MS + 2000;

/** A first attempt's result, or `running` when it is still running at the budget and goes on in the background. */
type FirstAttempt = AttemptResult | 'running';

/** A webhook delivery fanned out now, with its event's id and body. */
interface Link {
  readonly delivery: NewDelivery;
  readonly eventId: string;
  readonly body: string;
}

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
  private inFlight = 0;
  private readonly waitingForTurn: (() => void)[] = [];

  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly queues: EventQueues,
    private readonly attempts: WebhookAttempt,
    private readonly pace: SubscriberPace,
    private readonly outcomes: DeliveryOutcomes,
  ) {}

  async process(job: Job<FanOutJob>, token: string | undefined): Promise<void> {
    if ('eventIds' in job.data) return this.processBatch(job, job.data.eventIds, token);
    const eventId = job.data.eventId;
    const result = await this.deliveries.fanOut(eventId);
    switch (result.state) {
      case 'unknown':
        return;
      case 'waiting':
        await job.moveToDelayed(Date.now() + WAIT_FOR_PREDECESSOR_MS, token);
        throw new DelayedError(`waiting for the fan-out of ${result.subject} #${result.sequence - 1}`);
      case 'replayed': {
        const pending = await this.deliveries.pendingOfEvent(eventId);
        if (pending.length > 0) await this.queues.addDeliveries(pending);
        return;
      }
      case 'recorded':
        return this.deliver([{ event: result.event, deliveries: result.deliveries }]);
      default:
        throw new Error(`unknown fan-out state ${String((result as { state: unknown }).state)}`);
    }
  }

  /**
   * A relay round's batch: one statement records what is ready; the events behind an
   * earlier change of their subject in another batch stay in the job, which looks again shortly.
   */
  private async processBatch(job: Job<FanOutJob>, eventIds: readonly string[], token: string | undefined) {
    const result = await this.deliveries.fanOutBatch(eventIds);
    if (result.replayed.length > 0) {
      const pending = await this.deliveries.pendingOfEvents(result.replayed);
      if (pending.length > 0) await this.queues.addDeliveries(pending);
    }
    await this.deliver(result.recorded);
    if (result.waiting.length === 0) return;
    // Only once the rest is done: a failure above replays the whole batch, which finds it recorded.
    await job.updateData({ eventIds: result.waiting });
    await job.moveToDelayed(Date.now() + WAIT_FOR_PREDECESSOR_MS, token);
    throw new DelayedError(`${result.waiting.length} events waiting for the fan-out of an earlier change`);
  }

  /**
   * First attempts of events fanned out now (in `position` order). A subscriber's
   * deliveries for one subject form a chain, attempted one after the other: a later
   * change goes out only once the earlier one is delivered, and otherwise (a retry
   * due, an attempt past its budget, a failure) is handed to a delivery job, whose
   * gate holds it behind the earlier one.
   */
  private async deliver(recorded: readonly RecordedFanOut[]): Promise<void> {
    const later: NewDelivery[] = [];
    const chains = new Map<string, Link[]>();
    for (const { event, deliveries } of recorded) {
      let body: string | undefined;
      for (const delivery of deliveries) {
        if (delivery.kind !== 'webhook') {
          later.push(delivery);
          continue;
        }
        body ??= eventBody(event);
        const key = `${delivery.subscriptionId}\n${event.subject.type}\n${event.subject.id}`;
        const link: Link = { delivery, eventId: event.id, body };
        const chain = chains.get(key);
        if (chain) chain.push(link);
        else chains.set(key, [link]);
      }
    }
    const admitted: Link[][] = [];
    for (const chain of chains.values()) {
      const [first] = chain;
      // A held delivery's job keeps it behind the earlier change; a deferred one's job goes through that same gate.
      if (first.delivery.heldByAttempts === null && this.pace.admitFirstAttempt(first.delivery.subscriptionId)) {
        admitted.push(chain);
      } else {
        later.push(...chain.map((link) => link.delivery));
      }
    }
    if (later.length > 0) await this.queues.addDeliveries(later);
    if (admitted.length === 0) return;
    /** Chain links left when an earlier link was not delivered: their jobs' gate holds them behind it. */
    const behind: NewDelivery[] = [];
    const attempted: { delivery: NewDelivery; state: FirstAttempt | 'error'; error?: unknown }[] = [];
    const place = { attempt: 1, final: DELIVERY_ATTEMPTS <= 1 };
    const runs: Promise<void>[] = [];
    for (const chain of admitted) {
      runs.push(
        (async () => {
          for (let i = 0; i < chain.length; i++) {
            const { delivery, eventId, body } = chain[i];
            let state: FirstAttempt | 'error';
            try {
              state = await this.firstAttempt(delivery, eventId, body, place);
            } catch (error) {
              attempted.push({ delivery, state: 'error', error });
              state = 'error';
            }
            if (state !== 'error') attempted.push({ delivery, state });
            if (state === 'error' || state === 'running' || state.verdict !== 'delivered') {
              behind.push(...chain.slice(i + 1).map((link) => link.delivery));
              return;
            }
          }
        })(),
      );
    }
    // Settle every attempt (or reach its budget) before failing the job.
    await Promise.all(runs);
    const verdict = (state: FirstAttempt | 'error') =>
      state === 'error' || state === 'running' ? state : state.verdict;
    // First: a replay of a failed job then finds these jobs (same ids) and adds none beside the attempts still running.
    const running = attempted.filter((a) => verdict(a.state) === 'running').map((a) => a.delivery);
    if (running.length > 0) await this.queues.addRetries(running, HAND_OFF_DELAY_MS);
    if (behind.length > 0) await this.queues.addDeliveries(behind);
    const failed = attempted.find((a) => a.state === 'error');
    if (failed) throw failed.error;
    const retries = attempted.filter((a) => verdict(a.state) === 'retry').map((a) => a.delivery);
    if (retries.length > 0) await this.queues.addRetries(retries);
  }

  /** Makes a first attempt, waiting at most the budget for it; past that, it runs on in the background. */
  private async firstAttempt(
    delivery: NewDelivery,
    eventId: string,
    body: string,
    place: AttemptPlace,
  ): Promise<FirstAttempt> {
    await this.turn();
    const attempt = this.attempts.make(delivery, eventId, body, place);
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<'running'>((resolve) => {
      timer = setTimeout(() => resolve('running'), FIRST_ATTEMPT_BUDGET_MS);
    });
    // The turn ends with the wait: an attempt past its budget runs on in the background, as it did before turns.
    const first = await Promise.race([attempt, budget]).finally(() => {
      clearTimeout(timer);
      this.endTurn();
    });
    if (first !== 'running') return first;
    this.pace.overBudget(delivery.subscriptionId);
    const where = `delivery=${delivery.id} subscription=${delivery.subscriptionId} event=${eventId}`;
    this.outcomes.awaitOnShutdown(
      // Its delivery job makes the attempt again should the outcome not be stored.
      attempt.catch((error: Error) =>
        this.logger.warn(`event.delivery.unrecorded ${where}: ${loggableMessage(error)}`),
      ),
    );
    return 'running';
  }

  /** Waits until fewer than MAX_FIRST_ATTEMPTS_IN_FLIGHT first attempts run, first come first served. */
  private async turn(): Promise<void> {
    if (this.inFlight < MAX_FIRST_ATTEMPTS_IN_FLIGHT) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.waitingForTurn.push(resolve));
  }

  /** An attempt ended, or went on in the background past its budget: its turn goes to the next waiting one. */
  private endTurn(): void {
    const next = this.waitingForTurn.shift();
    if (next) next();
    else this.inFlight--;
  }
}
