import { loggableMessage } from '@app/platform/logging/loggable-error';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { bullConnection, releaseBullConnection } from '@app/identity/deliveries/bull-connection';
import { deliveryBackoffDelay } from '@app/identity/deliveries/delivery-backoff';
import { DeliveryJob, JobName, QUEUE_OF_JOB, QueueName } from '@app/identity/deliveries/delivery-jobs';
import { EventQueues } from '@app/identity/deliveries/event-queues';
import { APP_CONFIG, REDIS, RedisClient, ResolvedConfig, isRedisConnectionError, queuePrefixOf } from '@app/platform';
import { ConnectionOptions, Job, MinimalJob, Worker } from 'bullmq';
import { DeliveryOutcomes } from '../delivery/delivery-outcomes';
import { REPAIR_EVERY_MS } from '../maintenance/repair-deliveries.processor';
import { JOB_PROCESSORS, JobProcessor } from './job-processor';

/**
 * Jobs of each queue one worker process runs at once. Both wait on the network
 * most of the time: a fan-out makes its event's first attempts, so it needs as
 * many slots as events arrive per receiver round trip and outcome write (a fan-out
 * waits at most FIRST_ATTEMPT_BUDGET_MS for a first attempt, which then runs on
 * outside the job, so a slow receiver cannot hold them long). One subscription takes at most MAX_IN_FLIGHT_PER_SUBSCRIPTION of
 * the delivery slots (see SubscriberPace).
 */
const CONCURRENCY: { readonly [Name in QueueName]: number } = {
  [QueueName.FanOut]: 64,
  [QueueName.Deliveries]: 64,
  [QueueName.Maintenance]: 1,
  [QueueName.Logouts]: 16,
};

/**
 * A lock is renewed every 5 s while a job runs; a worker that dies (SIGKILL)
 * leaves jobs whose lock expires within 10 s, and the stalled check (every 5 s)
 * puts them back. Every job is idempotent, so running one twice is harmless.
 */
const LOCK_DURATION_MS = 10_000;
const STALLED_INTERVAL_MS = 5_000;
const MAX_STALLED_COUNT = 10;

const PRUNE_EVERY_MS = 60 * 60 * 1000;
/** The maintenance jobs and how often each runs. */
const MAINTENANCE_SCHEDULE: readonly [
  JobName.PruneDeliveries | JobName.RepairDeliveries | JobName.PruneEventsFeed | JobName.PruneRecords,
  number,
][] = [
  [JobName.PruneDeliveries, PRUNE_EVERY_MS],
  [JobName.RepairDeliveries, REPAIR_EVERY_MS],
  [JobName.PruneEventsFeed, PRUNE_EVERY_MS],
  [JobName.PruneRecords, PRUNE_EVERY_MS],
];
const FAN_OUT_BACKOFF_CAP_MS = 60_000;
const CLOSE_TIMEOUT_MS = 20_000;

/**
 * Runs a BullMQ Worker per queue and hands each job to the processor of its
 * name. Start-up fails if a job name has no processor.
 */
@Injectable()
export class JobWorkers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobWorkers.name);
  private readonly workers: Worker[] = [];
  private readonly connections: ConnectionOptions[] = [];
  private readonly processors: Map<JobName, JobProcessor>;
  private lastReported = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    @Inject(JOB_PROCESSORS) processors: JobProcessor[],
    private readonly queues: EventQueues,
    private readonly outcomes: DeliveryOutcomes,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {
    this.processors = new Map(processors.map((processor) => [processor.jobName, processor]));
    const missing = Object.values(JobName).filter((name) => !this.processors.has(name));
    if (missing.length > 0) throw new Error(`no processor for job(s): ${missing.join(', ')}`);
  }

  onApplicationBootstrap(): void {
    for (const queue of Object.values(QueueName)) this.workers.push(this.start(queue));
    void this.scheduleMaintenance();
  }

  /**
   * Upserting a scheduler is idempotent, so every replica may do it; with Redis away it is done next start
   * (or once Redis is found to have lost its data, schedulers included). Each scheduled run is one job, so one replica runs it.
   */
  async scheduleMaintenance(): Promise<void> {
    await Promise.all(
      MAINTENANCE_SCHEDULE.map(([name, every]) =>
        this.queues
          .queue(QueueName.Maintenance)
          .upsertJobScheduler(name, { every }, { name, data: {} })
          .catch((error: Error) => this.logger.warn(`could not schedule ${name}: ${loggableMessage(error)}`)),
      ),
    );
  }

  /**
   * Closing waits for the jobs in flight (a webhook being sent) to finish. It runs
   * before the application's shutdown hooks, which close PostgreSQL, so those jobs can record their outcome;
   * then whatever outcome is still buffered is written.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((worker) => this.close(worker)));
    await Promise.all(this.connections.splice(0).map(releaseBullConnection));
    await this.outcomes.flush();
  }

  /**
   * BullMQ's graceful close waits for Redis, forever while it is away. Without
   * Redis no job in hand can record its end anyway (stalled-job recovery hands it
   * out again), so then the worker stops at once; with Redis, jobs get CLOSE_TIMEOUT_MS.
   */
  private async close(worker: Worker): Promise<void> {
    if (this.redis.status !== 'ready') return worker.close(true).catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((resolve) => {
      timer = setTimeout(() => resolve(worker.close(true).catch(() => undefined)), CLOSE_TIMEOUT_MS);
    });
    await Promise.race([worker.close().catch(() => undefined), forced]);
    clearTimeout(timer);
  }

  private start(queue: QueueName): Worker {
    const connection = bullConnection(this.config);
    this.connections.push(connection);
    const worker = new Worker(queue, (job: Job, token?: string) => this.dispatch(queue, job, token), {
      connection,
      prefix: queuePrefixOf(this.config),
      concurrency: CONCURRENCY[queue],
      lockDuration: LOCK_DURATION_MS,
      stalledInterval: STALLED_INTERVAL_MS,
      maxStalledCount: MAX_STALLED_COUNT,
      settings: {
        backoffStrategy: (attemptsMade: number, type?: string, _error?: Error, job?: MinimalJob) =>
          this.backoff(attemptsMade, type, job),
      },
    });
    worker.on('error', (error: Error) => {
      // Redis being away is reported once by the app's Redis client; the worker's retries need no line each.
      if (isRedisConnectionError(error)) return this.logger.debug(`queue worker ${queue}: ${loggableMessage(error)}`);
      if (Date.now() - this.lastReported < 30_000) return;
      this.lastReported = Date.now();
      this.logger.warn(`queue worker ${queue}: ${loggableMessage(error)}`);
    });
    return worker;
  }

  private dispatch(queue: QueueName, job: Job, token: string | undefined): Promise<void> {
    const processor = this.processors.get(job.name as JobName);
    if (!processor || QUEUE_OF_JOB[processor.jobName] !== queue) {
      throw new Error(`job ${job.name} has no processor on queue ${queue}`);
    }
    return processor.process(job as never, token);
  }

  private backoff(attemptsMade: number, type: string | undefined, job: MinimalJob | undefined): number {
    if (type === 'delivery') {
      // A series that follows the fan-out's first attempt goes on with that attempt's schedule.
      const before = (job?.data as DeliveryJob | undefined)?.attemptsBefore ?? 0;
      return deliveryBackoffDelay(before + attemptsMade, this.config.deliveryBackoffMs);
    }
    return Math.min(1000 * 2 ** Math.min(attemptsMade - 1, 10), FAN_OUT_BACKOFF_CAP_MS);
  }
}
