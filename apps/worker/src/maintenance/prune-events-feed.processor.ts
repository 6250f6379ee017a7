import { Inject, Injectable, Logger } from '@nestjs/common';
import { JobName } from '@app/identity/deliveries/delivery-jobs';
import { EventsFeedRepository } from '@app/identity/events-feed/events-feed.repository';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import { JobProcessor } from '../queues/job-processor';

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 5000;

/**
 * Deletes events older than the feed's retention, oldest first, in batches so no
 * statement holds locks for long, and moves the horizon below which cursors are
 * expired. Runs hourly.
 */
@Injectable()
export class PruneEventsFeedProcessor implements JobProcessor<JobName.PruneEventsFeed> {
  readonly jobName = JobName.PruneEventsFeed;
  private readonly logger = new Logger(PruneEventsFeedProcessor.name);

  constructor(
    private readonly feed: EventsFeedRepository,
    @Inject(APP_CONFIG) private readonly config: Pick<ResolvedConfig, 'eventsRetentionDays'>,
  ) {}

  async process(): Promise<void> {
    let total = 0;
    for (;;) {
      const passed = await this.feed.prune(this.config.eventsRetentionDays * DAY_MS, BATCH);
      total += passed;
      if (passed < BATCH) break;
    }
    if (total > 0) this.logger.log(`events.feed.pruned positions=${total}`);
  }
}
