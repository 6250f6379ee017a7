import { deliveryBackoffDelay } from '@app/identity/deliveries/delivery-backoff';
import { JobState } from 'bullmq';

/** Where a pending delivery's job stands in BullMQ: one of its states, or `missing` (no job under its id). */
export type DeliveryJobLookup = JobState | 'unknown' | 'missing';

/** What the repair does about a stale pending delivery: nothing, add its job, or replace its failed job. */
export type RepairAction = 'none' | 'add' | 'replace';

/**
 * A pending row whose job is missing (Redis lost its data), failed (BullMQ gave up
 * while the row stayed pending) or completed (the job ended without its outcome
 * reaching the row) has nothing left to pick it up: queue it again. Any other state
 * means a job will still run (a scheduled retry can wait hours). A finished job is
 * removed first: BullMQ would take an add under its id for a duplicate.
 */
export function repairAction(lookup: DeliveryJobLookup): RepairAction {
  switch (lookup) {
    case 'missing':
    case 'unknown':
      return 'add';
    case 'failed':
    case 'completed':
      return 'replace';
    default:
      return 'none';
  }
}

/**
 * How long a repaired delivery waits: what is left of the backoff due after its
 * last attempt (the row's idle time counts towards it), so a long-lost retry goes
 * at once and a recent one keeps its schedule. None before the first attempt.
 */
export function repairDelayMs(attempts: number, idleMs: number, backoffBaseMs: number): number {
  if (attempts <= 0) return 0;
  return Math.max(0, Math.round(deliveryBackoffDelay(attempts, backoffBaseMs) - idleMs));
}
