import { Injectable } from '@nestjs/common';
import { DeliveryRepository } from '@app/identity/deliveries/delivery.repository';
import { DELIVERY_ATTEMPTS } from '@app/identity/deliveries/delivery-backoff';
import { JobName } from '@app/identity/deliveries/delivery-jobs';
import { EventQueues } from '@app/identity/deliveries/event-queues';
import { Job } from 'bullmq';
import { FanOutMetrics } from '../metrics/fan-out.metrics';
import { JobProcessor } from '../queues/job-processor';
import { DeliveryGate } from './delivery-gate';

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
 */
@Injectable()
export class QueueDeliveryProcessor implements JobProcessor<JobName.QueueDelivery> {
  readonly jobName = JobName.QueueDelivery;

  constructor(
    private readonly gate: DeliveryGate,
    private readonly deliveries: DeliveryRepository,
    private readonly queues: EventQueues,
    private readonly metrics: FanOutMetrics,
  ) {}

  async process(job: Job<{ deliveryId: string; round: number }>, token: string | undefined): Promise<void> {
    const delivery = await this.gate.admit(job, token);
    if (!delivery) return;
    try {
      await this.queues
        .target(delivery.queue!)
        .add(delivery.event.type, delivery.event, { jobId: delivery.eventId, ...CONSUMER_JOB_OPTIONS });
    } catch (error) {
      const final = job.attemptsMade + 1 >= (job.opts.attempts ?? DELIVERY_ATTEMPTS);
      await this.deliveries.markAttemptFailed(
        delivery.id,
        delivery.round,
        { responseStatus: null, error: (error as Error).message },
        final,
      );
      this.metrics.outcome('queue', final ? 'failed' : 'retried');
      throw error;
    }
    const latencyMs = await this.deliveries.markDelivered(delivery.id, delivery.round, {
      responseStatus: null,
      error: null,
    });
    this.metrics.delivered('queue', latencyMs);
  }
}
