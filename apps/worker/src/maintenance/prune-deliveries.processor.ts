import { Injectable, Logger } from '@nestjs/common';
import { DeliveryRepository } from '@app/identity/deliveries/delivery.repository';
import { JobName } from '@app/identity/deliveries/delivery-jobs';
import { JobProcessor } from '../queues/job-processor';

/** Delivered rows are kept this long for the log; failed and pending ones until they are dealt with. */
export const DELIVERED_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
const BATCH = 5000;

/** Deletes delivered rows past the retention, in batches so no statement holds locks for long. Runs hourly. */
@Injectable()
export class PruneDeliveriesProcessor implements JobProcessor<JobName.PruneDeliveries> {
  readonly jobName = JobName.PruneDeliveries;
  private readonly logger = new Logger(PruneDeliveriesProcessor.name);

  constructor(private readonly deliveries: DeliveryRepository) {}

  async process(): Promise<void> {
    let total = 0;
    for (;;) {
      const deleted = await this.deliveries.pruneDelivered(DELIVERED_RETENTION_MS, BATCH);
      total += deleted;
      if (deleted < BATCH) break;
    }
    if (total > 0) this.logger.log(`event.deliveries.pruned count=${total}`);
  }
}
