import type { IdentityEvent } from '@app/identity/events/identity-event';
import { ConnectionOptions, Job, Worker } from 'bullmq';

/** How an internal service consumes the events of one `queue` subscription. */
export interface IdentityEventConsumerOptions {
  /** Redis connection (the gateway's REDIS_URL), as BullMQ takes it. */
  readonly connection: ConnectionOptions;
  /** The gateway's REDIS_PREFIX: the subscription's queue lives under it. */
  readonly prefix: string;
  /** The queue the subscription names. */
  readonly queue: string;
  /**
   * Handles one event. At-least-once: a throw (or a crash) hands the event
   * back for a retry, so make the handler idempotent (see EventDeduplicator).
   * Events of one subject may interleave under concurrency; compare
   * `event.sequence` to drop a stale one.
   */
  readonly handle: (event: IdentityEvent, job: Job<IdentityEvent>) => Promise<void>;
  /** Events handled at once (default 1: one at a time, in queue order). */
  readonly concurrency?: number;
  /** Called when the worker reports a problem (Redis away, a handler failure); defaults to ignoring it. */
  readonly onError?: (error: Error) => void;
}

/**
 * A typed BullMQ consumer of identity events for a `queue` subscription
 * (`POST /admin/v1/subscriptions {name, queue, events}`): the gateway adds each
 * event to that queue with job id = event id and job name = event type.
 */
export class IdentityEventConsumer {
  private readonly worker: Worker<IdentityEvent>;
  /** Whether Redis answers now, as the worker's connection last said. */
  private redisUp = false;

  constructor(options: IdentityEventConsumerOptions) {
    this.worker = new Worker<IdentityEvent>(options.queue, (job) => options.handle(job.data, job), {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency ?? 1,
    });
    const report = options.onError ?? (() => undefined);
    this.worker.on('error', report);
    this.worker.backend.on('ready', () => (this.redisUp = true));
    this.worker.backend.on('close', () => (this.redisUp = false));
    this.worker.on('failed', (_job, error) => report(error));
  }

  /** Resolves when the consumer is connected and taking events. */
  async ready(): Promise<void> {
    await this.worker.waitUntilReady();
  }

  /**
   * Stops taking events and waits for the ones being handled (call it on
   * shutdown). A consumer whose Redis is away (never reached within
   * `readyWithinMs`, or lost since) stops at once: BullMQ's graceful close would
   * wait for a connection that may never come, and a handler's end could not be
   * recorded anyway (BullMQ hands a stalled event out again).
   */
  async close(readyWithinMs = 1000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const reachable = await Promise.race([
      this.worker.waitUntilReady().then(
        () => this.redisUp,
        () => false,
      ),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), readyWithinMs))),
    ]);
    clearTimeout(timer);
    await this.worker.close(!reachable);
  }
}
