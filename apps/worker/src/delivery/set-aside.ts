import { DeliveryJob } from '@app/identity/deliveries/delivery-jobs';
import { Job } from 'bullmq';

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
