import { Injectable, Logger } from '@nestjs/common';
import { DeliveryRepository } from '@app/identity/deliveries/delivery.repository';
import { DeliveryAttemptRow } from '@app/identity/deliveries/delivery.row';
import { DELIVERY_ATTEMPTS } from '@app/identity/deliveries/delivery-backoff';
import { DeliveryJob, JobName } from '@app/identity/deliveries/delivery-jobs';
import { EventQueues } from '@app/identity/deliveries/event-queues';
import { DelayedError, Job } from 'bullmq';
import { FanOutMetrics } from '../metrics/fan-out.metrics';
import { JobProcessor } from '../queues/job-processor';
import { DeliveryGate } from './delivery-gate';
import { stepAsideForOutage } from './set-aside';

/** How a consumer's job is retried when its handler throws (the consumer's at-least-once). */
const CONSUMER_JOB_OPTIONS = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/**
 * Adds one event to the BullMQ queue a `queue` subscription names (same Redis,
 * same prefix), job name = the event type, job id = the event id: adding it
 * twice is a no-op, so a replay never hands a consumer the event twice over.
 *
 * Only a failed hand-off to the target queue uses an attempt: when loading the
 * delivery or recording its outcome fails (PostgreSQL away) the job steps aside
 * (delayed, costing no attempt), so an outage never ends a pending row's last
 * attempt with no job left. The hand-off is made again: the job id dedupes it.
 */
@Injectable()
export class QueueDeliveryProcessor implements JobProcessor<JobName.QueueDelivery> {
  readonly jobName = JobName.QueueDelivery;
  private readonly logger = new Logger(QueueDeliveryProcessor.name);

  constructor(
    private readonly gate: DeliveryGate,
    private readonly deliveries: DeliveryRepository,
    private readonly queues: EventQueues,
    private readonly metrics: FanOutMetrics,
  ) {}

  async process(job: Job<DeliveryJob>, token: string | undefined): Promise<void> {
    let delivery: DeliveryAttemptRow | undefined;
    try {
      delivery = await this.gate.admit(job, token);
    } catch (error) {
      if (error instanceof DelayedError) throw error;
      return stepAsideForOutage(job, token, error, this.logger);
    }
    if (!delivery) return;
    let handOffError: Error | undefined;
    try {
      await this.queues
        .target(delivery.queue!)
        .add(delivery.event.type, delivery.event, { jobId: delivery.eventId, ...CONSUMER_JOB_OPTIONS });
    } catch (error) {
      handOffError = error as Error;
    }
    if (handOffError) return this.recordFailure(job, token, delivery, handOffError);
    let latencyMs: number | undefined;
    try {
      latencyMs = await this.deliveries.markDelivered(delivery.id, delivery.round, {
        responseStatus: null,
        error: null,
      });
    } catch (error) {
      return stepAsideForOutage(job, token, error, this.logger);
    }
    this.metrics.delivered('queue', latencyMs);
  }

  /** Records the failed hand-off and rethrows it so BullMQ retries on the delivery backoff (or ends the series). */
  private async recordFailure(
    job: Job<DeliveryJob>,
    token: string | undefined,
    delivery: DeliveryAttemptRow,
    handOffError: Error,
  ): Promise<never> {
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? DELIVERY_ATTEMPTS);
    try {
      await this.deliveries.markAttemptFailed(
        delivery.id,
        delivery.round,
        { responseStatus: null, error: handOffError.message },
        final,
      );
    } catch (error) {
      return stepAsideForOutage(job, token, error, this.logger);
    }
    this.metrics.outcome('queue', final ? 'failed' : 'retried');
    throw handOffError;
  }
}
