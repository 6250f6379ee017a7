import { Inject, Injectable, Logger } from '@nestjs/common';
import { DeliveryRepository, StaleCursor, StalePendingDelivery } from '@app/identity/deliveries/delivery.repository';
import { JobName, QueueName, QueuedDelivery, deliveryJobId } from '@app/identity/deliveries/delivery-jobs';
import { EventQueues } from '@app/identity/deliveries/event-queues';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import { FanOutMetrics } from '../metrics/fan-out.metrics';
import { JobProcessor } from '../queues/job-processor';
import { DeliveryJobLookup, repairAction, repairDelayMs } from './delivery-repair';

/** How often the repair round runs. */
export const REPAIR_EVERY_MS = 60_000;
/**
 * A pending row must have been idle this long before its job is looked for: well
 * beyond the relay, fan-out and hand-off delays (seconds), so a delivery on its way
 * to a job is never taken for lost. Scheduled retries idle longer (hours): BullMQ says which have a job.
 */
export const REPAIR_IDLE_MS = 15 * 60_000;
/** Rows looked at per round: the next round goes on after the last (and starts over after the end). */
const BATCH = 500;
/** Job look-ups in flight at once. */
const LOOKUPS_AT_ONCE = 50;

/** A stale pending delivery whose job is gone, and how it was found. */
interface LostDelivery {
  readonly delivery: StalePendingDelivery;
  readonly lookup: DeliveryJobLookup;
}

/**
 * Queues again the pending deliveries that no job will pick up any more: Redis lost
 * its data, or BullMQ failed a job while its row stayed pending. PostgreSQL is the
 * record of truth; a delivery queued twice finds its row done and ends. Runs every
 * minute on one replica (a BullMQ job scheduler on the maintenance queue).
 */
@Injectable()
export class RepairDeliveriesProcessor implements JobProcessor<JobName.RepairDeliveries> {
  readonly jobName = JobName.RepairDeliveries;
  private readonly logger = new Logger(RepairDeliveriesProcessor.name);
  private cursor: StaleCursor | undefined;

  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly queues: EventQueues,
    private readonly metrics: FanOutMetrics,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  async process(): Promise<void> {
    await this.repairOnce();
  }

  /** Looks at one batch of stale pending deliveries and queues again those without a live job; returns how many. */
  async repairOnce(): Promise<number> {
    const batch = await this.deliveries.stalePending(REPAIR_IDLE_MS, BATCH, this.cursor);
    // Rows with a job keep their place: without the cursor, 500 long retries would hide every row after them.
    this.cursor = batch.length < BATCH ? undefined : batch[batch.length - 1];
    return this.requeueLost(batch);
  }

  /**
   * Redis lost its data: every pending delivery, however recent, is looked at
   * now (not after REPAIR_IDLE_MS), and those whose job vanished are queued
   * again. A later change of the same subject waits behind them, so waiting
   * would hold it too. Returns how many were queued again.
   */
  async repairAfterDataLoss(): Promise<number> {
    let total = 0;
    let cursor: StaleCursor | undefined;
    for (;;) {
      const batch = await this.deliveries.stalePending(0, BATCH, cursor);
      total += await this.requeueLost(batch);
      if (batch.length < BATCH) return total;
      cursor = batch[batch.length - 1];
    }
  }

  private async requeueLost(batch: readonly StalePendingDelivery[]): Promise<number> {
    const lost: LostDelivery[] = [];
    for (let i = 0; i < batch.length; i += LOOKUPS_AT_ONCE) {
      const found = await Promise.all(batch.slice(i, i + LOOKUPS_AT_ONCE).map((delivery) => this.lookUp(delivery)));
      lost.push(...found.filter((entry): entry is LostDelivery => entry !== undefined));
    }
    if (lost.length === 0) return 0;
    await this.queues.addDeliveries(lost.map(({ delivery }) => this.requeued(delivery)));
    for (const { delivery, lookup } of lost) {
      this.metrics.repaired(delivery.kind, lookup === 'failed' || lookup === 'completed' ? lookup : 'missing');
      this.logger.warn(
        `event.delivery.repaired delivery=${delivery.id} round=${delivery.round} job=${lookup} attempts=${delivery.attempts}`,
      );
    }
    return lost.length;
  }

  /** The delivery when its job is gone (a finished one is removed, so the new one is not taken for a duplicate). */
  private async lookUp(delivery: StalePendingDelivery): Promise<LostDelivery | undefined> {
    const job = await this.queues.queue(QueueName.Deliveries).getJob(deliveryJobId(delivery.id, delivery.round));
    const lookup: DeliveryJobLookup = job ? await job.getState() : 'missing';
    const action = repairAction(lookup);
    if (action === 'none') return undefined;
    if (action === 'replace') await job!.remove();
    return { delivery, lookup };
  }

  private requeued(delivery: StalePendingDelivery): QueuedDelivery {
    return {
      id: delivery.id,
      round: delivery.round,
      subscriptionId: delivery.subscriptionId,
      kind: delivery.kind,
      attempts: delivery.attempts,
      delayMs: repairDelayMs(delivery.attempts, delivery.idleMs, this.config.deliveryBackoffMs),
    };
  }
}
