import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, ResolvedConfig, isRedisConnectionError, queuePrefixOf } from '@app/platform';
import { ConnectionOptions, JobsOptions, Queue } from 'bullmq';
import { bullConnection, releaseBullConnection } from './bull-connection';
import { DELIVERY_ATTEMPTS, deliveryBackoffDelay } from './delivery-backoff';
import {
  BackchannelLogoutJob,
  DeliveryJob,
  FanOutJob,
  JobName,
  QueueName,
  QueuedDelivery,
  backchannelLogoutJobId,
  deliveryJobId,
  fanOutBatchJobId,
} from './delivery-jobs';

const HOUR_S = 3600;
const DAY_S = 24 * HOUR_S;

/**
 * How many finished jobs BullMQ keeps (its id dedupe sees only those). With both an
 * age and a count, a job is removed as soon as it fails either, so these keep at
 * most the last 10,000, and for at most an hour (failed: a week): at 500 deliveries/s
 * a completed job's id is forgotten after ~20 s. Idempotence rests on the delivery
 * rows, not on this: a job added again after that finds its row done and ends.
 */
const KEEP = {
  removeOnComplete: { age: HOUR_S, count: 10_000 },
  removeOnFail: { age: 7 * DAY_S, count: 10_000 },
} as const;

/** Job options of a delivery series: the custom `delivery` backoff is registered on the worker. */
export const DELIVERY_JOB_OPTIONS: JobsOptions = {
  attempts: DELIVERY_ATTEMPTS,
  backoff: { type: 'delivery' },
  ...KEEP,
};

/** A logout token is retried on the webhook schedule, for about three hours with the production base. */
export const BACKCHANNEL_LOGOUT_ATTEMPTS = 8;

/** A fan-out only fails while PostgreSQL or Redis is away: retry it for as long as it takes (capped at a minute apart). */
export const FAN_OUT_JOB_OPTIONS: JobsOptions = { attempts: 10_000, backoff: { type: 'fan-out' }, ...KEEP };

/**
 * The BullMQ queues of the fan-out, under REDIS_PREFIX, shared by the worker
 * (relay, fan-out) and the admin API (retry by hand, Bull Board); plus the
 * queues that `queue` subscriptions name, opened on first use.
 */
@Injectable()
export class EventQueues implements OnApplicationShutdown {
  private readonly logger = new Logger(EventQueues.name);
  private readonly queues = new Map<string, Queue>();
  private readonly connections: ConnectionOptions[] = [];
  private lastReported = 0;

  constructor(@Inject(APP_CONFIG) private readonly config: ResolvedConfig) {}

  /** One of the gateway's own queues. */
  queue(name: QueueName): Queue {
    return this.open(name);
  }

  /** The queue a `queue` subscription names (validated at subscription time). */
  target(name: string): Queue {
    return this.open(name);
  }

  /** Every queue opened so far. */
  opened(): Queue[] {
    return [...this.queues.values()];
  }

  addFanOuts(eventIds: readonly string[]): Promise<unknown> {
    return this.queue(QueueName.FanOut).addBulk(
      eventIds.map((eventId) => ({
        name: JobName.FanOut,
        data: { eventId } satisfies FanOutJob,
        opts: { jobId: eventId, ...FAN_OUT_JOB_OPTIONS },
      })),
    );
  }

  /**
   * One fan-out job per `size` events, in the order given (a relay round's, `position` order):
   * a job and one statement for many events rather than one each.
   */
  addFanOutBatches(eventIds: readonly string[], size: number): Promise<unknown> {
    const batches: string[][] = [];
    for (let i = 0; i < eventIds.length; i += size) batches.push(eventIds.slice(i, i + size));
    return this.queue(QueueName.FanOut).addBulk(
      batches.map((batch) => ({
        name: JobName.FanOut,
        data: { eventIds: batch } satisfies FanOutJob,
        opts: { jobId: fanOutBatchJobId(batch), ...FAN_OUT_JOB_OPTIONS },
      })),
    );
  }

  /**
   * A job per delivery. One with attempts made already (a replayed fan-out's pending
   * rows) goes on with its schedule: the remaining attempts, after the backoff due
   * (or `delayMs`).
   */
  addDeliveries(deliveries: readonly QueuedDelivery[]): Promise<unknown> {
    return this.queue(QueueName.Deliveries).addBulk(
      deliveries.map((delivery) => {
        const before = Math.min(Math.max(delivery.attempts ?? 0, 0), DELIVERY_ATTEMPTS - 1);
        return {
          name: delivery.kind === 'webhook' ? JobName.WebhookDelivery : JobName.QueueDelivery,
          data: {
            deliveryId: delivery.id,
            round: delivery.round,
            subscriptionId: delivery.subscriptionId,
            ...(before > 0 ? { attemptsBefore: before } : {}),
          } satisfies DeliveryJob,
          opts: {
            jobId: deliveryJobId(delivery.id, delivery.round),
            ...DELIVERY_JOB_OPTIONS,
            ...(before > 0
              ? {
                  attempts: DELIVERY_ATTEMPTS - before,
                  delay: delivery.delayMs ?? deliveryBackoffDelay(before, this.config.deliveryBackoffMs),
                }
              : delivery.delayMs !== undefined
                ? { delay: delivery.delayMs }
                : {}),
          },
        };
      }),
    );
  }

  /**
   * The rest of a webhook delivery's schedule after the fan-out's first attempt:
   * the job starts after the first backoff delay (or `delayMs`), with one attempt fewer.
   * The fan-out passes `delayMs` when the first attempt is still running in the
   * background: the job then runs once that attempt has surely ended, and finds
   * its outcome in the delivery row.
   */
  addRetries(deliveries: readonly Omit<QueuedDelivery, 'kind'>[], delayMs?: number): Promise<unknown> {
    return this.queue(QueueName.Deliveries).addBulk(
      deliveries.map((delivery) => ({
        name: JobName.WebhookDelivery,
        data: {
          deliveryId: delivery.id,
          round: delivery.round,
          subscriptionId: delivery.subscriptionId,
          attemptsBefore: 1,
        } satisfies DeliveryJob,
        opts: {
          jobId: deliveryJobId(delivery.id, delivery.round),
          ...DELIVERY_JOB_OPTIONS,
          attempts: DELIVERY_ATTEMPTS - 1,
          delay: delayMs ?? deliveryBackoffDelay(1, this.config.deliveryBackoffMs),
        },
      })),
    );
  }

  /** A back-channel logout job per ended product session, retried with the delivery backoff. */
  addBackchannelLogouts(logouts: readonly BackchannelLogoutJob[]): Promise<unknown> {
    return this.queue(QueueName.Logouts).addBulk(
      logouts.map((logout) => ({
        name: JobName.BackchannelLogout,
        data: logout,
        opts: {
          jobId: backchannelLogoutJobId(logout.clientId, logout.sid, logout.sessionId),
          attempts: BACKCHANNEL_LOGOUT_ATTEMPTS,
          backoff: { type: 'delivery' },
          ...KEEP,
        },
      })),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close().catch(() => undefined)));
    this.queues.clear();
    await Promise.all(this.connections.splice(0).map(releaseBullConnection));
  }

  private open(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      const connection = bullConnection(this.config);
      this.connections.push(connection);
      queue = new Queue(name, { connection, prefix: queuePrefixOf(this.config) });
      // An 'error' without a listener would crash the process; Redis outages are expected and retried.
      queue.on('error', (error: Error) => this.reportError(error));
      this.queues.set(name, queue);
    }
    return queue;
  }

  private reportError(error: Error): void {
    // Redis being away is reported once by the app's Redis client; the queues' retries need no line each.
    if (isRedisConnectionError(error)) return this.logger.debug(`event queues: ${error.message}`);
    if (Date.now() - this.lastReported < 30_000) return;
    this.lastReported = Date.now();
    this.logger.warn(`Redis unavailable for the event queues: ${error.message}`);
  }
}
