import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { QueueName } from '../deliveries/delivery-jobs';
import { EventQueues } from '../deliveries/event-queues';
import { withTimeout } from '../deliveries/with-timeout';

/** How many jobs a queue holds in each state. */
export interface QueueCounts {
  readonly name: string;
  /** Waiting to run, including prioritised jobs. */
  readonly waiting: number;
  readonly active: number;
  /** Waiting for their time: retries on the backoff schedule, delayed jobs. */
  readonly delayed: number;
  /** Failed for good, and kept (a week at most) for retry by hand. */
  readonly failed: number;
  /** Done, and still kept (an hour at most). */
  readonly completed: number;
}

/** Redis answers in milliseconds; past this the console is told it is away rather than kept waiting. */
const COUNTS_TIMEOUT_MS = 3000;

/** The gateway's own BullMQ queues and how full they are, for the operators' console. */
@Injectable()
export class QueueCountsService {
  constructor(private readonly queues: EventQueues) {}

  async all(): Promise<QueueCounts[]> {
    try {
      return await withTimeout(
        Promise.all(Object.values(QueueName).map((name) => this.countsOf(name))),
        COUNTS_TIMEOUT_MS,
        'Redis did not answer in time',
      );
    } catch (error) {
      throw new ServiceUnavailableException(
        `the queues are unavailable: ${error instanceof Error ? error.message : 'Redis is away'}; try again shortly`,
      );
    }
  }

  private async countsOf(name: QueueName): Promise<QueueCounts> {
    const counts = await this.queues
      .queue(name)
      .getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed');
    return {
      name,
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
      completed: counts.completed ?? 0,
    };
  }
}
