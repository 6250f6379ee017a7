import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DeliveryRepository } from '@app/identity/deliveries/delivery.repository';
import { FanOutJob, JobName } from '@app/identity/deliveries/delivery-jobs';
import { EventQueues } from '@app/identity/deliveries/event-queues';
import { DelayedError, Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { JobProcessor } from '../queues/job-processor';

/** How soon a fan-out looks again when the previous change of its subject is not fanned out yet. */
const WAIT_FOR_PREDECESSOR_MS = 50;

/**
 * Turns one relayed event into one pending delivery per matching, enabled
 * subscription (a row each, in one transaction), then one delivery job per row.
 *
 * Idempotent: the rows are recorded once (the event is marked fanned out in the
 * same transaction, and (subscription, event) is unique); a replay re-adds the
 * jobs of whatever is still pending, and their ids make that a no-op in BullMQ.
 *
 * Ordering: a subject's change n is fanned out only after change n − 1, so its
 * deliveries exist by the time the delivery gate compares them.
 */
@Injectable()
export class FanOutProcessor implements JobProcessor<JobName.FanOut> {
  readonly jobName = JobName.FanOut;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly deliveries: DeliveryRepository,
    private readonly queues: EventQueues,
  ) {}

  async process(job: Job<FanOutJob>, token: string | undefined): Promise<void> {
    const event = await this.deliveries.fanOutEvent(job.data.eventId);
    if (!event) return;
    if (!event.fannedOut) {
      if (event.predecessorWaiting) {
        await job.moveToDelayed(Date.now() + WAIT_FOR_PREDECESSOR_MS, token);
        throw new DelayedError(
          `waiting for the fan-out of ${event.subjectType} ${event.subjectId} #${event.sequence - 1}`,
        );
      }
      await this.dataSource.transaction((em) => this.deliveries.recordFanOut(em, event));
    }
    const pending = await this.deliveries.pendingOfEvent(event.id);
    if (pending.length > 0) await this.queues.addDeliveries(pending);
  }
}
