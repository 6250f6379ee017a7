import { DeliveryJob } from '@app/identity/deliveries/delivery-jobs';
import { Logger } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';

/** How often the job was started without making an attempt (held, set aside for its share, or PostgreSQL/Redis away). */
export function timesSetAside(job: Job<DeliveryJob>): number {
  return Math.min(Math.max(0, (job.attemptsStarted ?? 0) - job.attemptsMade - 1), 10);
}

/**
 * How long a job steps aside this time: `baseMs`, doubled with each earlier
 * set-aside, up to `maxMs`, plus up to as much again (jitter), so jobs set aside
 * together do not all come back together, and one set aside again and again
 * (a dead subscriber's backlog, a long outage) costs less and less.
 */
export function setAsideDelay(
  job: Job<DeliveryJob>,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  return Math.round(Math.min(baseMs * 2 ** timesSetAside(job), maxMs) * (1 + random()));
}

/** A job whose failure is not the receiver's (PostgreSQL or Redis away) steps aside this long at first, doubling to a minute. */
const OUTAGE_WAIT_MS = 1000;
const OUTAGE_WAIT_MAX_MS = 60_000;

/**
 * Moves a delivery job back to delayed without using an attempt, for a failure
 * that is not the receiver's (PostgreSQL or Redis away), and throws the
 * DelayedError that tells BullMQ so. Should Redis be away too, moving throws;
 * BullMQ can then only fail the job (an attempt) once Redis is back.
 */
export async function stepAsideForOutage(
  job: Job<DeliveryJob>,
  token: string | undefined,
  error: unknown,
  logger: Logger,
): Promise<never> {
  const reason = error instanceof Error ? error.message : String(error);
  logger.warn(`event.delivery.deferred delivery=${job.data.deliveryId} job=${job.id}: ${reason}`);
  await job.moveToDelayed(Date.now() + setAsideDelay(job, OUTAGE_WAIT_MS, OUTAGE_WAIT_MAX_MS), token);
  throw new DelayedError(`delivery ${job.data.deliveryId} set aside: ${reason}`);
}
