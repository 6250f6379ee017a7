import { Injectable, Logger } from '@nestjs/common';
import { AttemptPace, BreakerRules, Slowness, afterAttempt, decideFirstAttempt } from './slowness-breaker';

/**
 * The fan-out waits this long for a first attempt; past it, the request runs on in
 * the background to its full timeout, and a delivery job, delayed until that has
 * surely ended, takes over. Far above a healthy receiver's answer (the fan-out's
 * p99 target is 250 ms), short enough that a receiver that never answers holds a
 * fan-out slot, and so everyone's events, only briefly.
 */
export const FIRST_ATTEMPT_BUDGET_MS = 1500;

const RULES: BreakerRules = { budgetMs: FIRST_ATTEMPT_BUDGET_MS, coolOffMs: 30_000, probeStaleMs: 15_000 };

/**
 * Delivery jobs of one subscription in flight at once in this process: a quarter of
 * the delivery lane (64 slots), so a receiver that never answers holds at most 16
 * slots for its 10 s timeouts and others' retries keep flowing. Four such receivers
 * at once would fill the lane; the jobs beyond a subscription's share step aside
 * (delayed, costing no attempt), so others still get slots as timeouts end.
 */
export const MAX_IN_FLIGHT_PER_SUBSCRIPTION = 16;

/** Remembered slow subscribers; past this (a pathological number) the memory starts over. */
const MAX_REMEMBERED = 10_000;

/**
 * What this worker process knows of each subscriber's pace: the slowness breaker
 * (whether the fan-out makes a first attempt itself) and the delivery jobs in
 * flight per subscription. Per process: each replica learns on its own, which
 * costs each at most one budget per cool-off.
 */
@Injectable()
export class SubscriberPace {
  private readonly logger = new Logger(SubscriberPace.name);
  private readonly slow = new Map<string, Slowness>();
  private readonly inFlight = new Map<string, number>();

  /** Whether the fan-out makes the subscription's first attempt now; false hands the delivery to a job. */
  admitFirstAttempt(subscriptionId: string, now = Date.now()): boolean {
    const { decision, next } = decideFirstAttempt(this.slow.get(subscriptionId), now, RULES);
    if (next) this.slow.set(subscriptionId, next);
    return decision !== 'defer';
  }

  /** Learns from an attempt (the fan-out's or a job's) how the subscriber answers. */
  observe(subscriptionId: string, pace: AttemptPace, now = Date.now()): void {
    const next = afterAttempt(pace, now, RULES);
    const wasSlow = this.slow.has(subscriptionId);
    if (next) {
      if (!wasSlow && this.slow.size >= MAX_REMEMBERED) this.slow.clear();
      this.slow.set(subscriptionId, next);
      if (!wasSlow) {
        this.logger.warn(
          `event.subscriber.slow subscription=${subscriptionId} elapsed=${Math.round(pace.elapsedMs)}ms: ` +
            `its deliveries go to delivery jobs for ${RULES.coolOffMs / 1000} s`,
        );
      }
    } else if (wasSlow) {
      this.slow.delete(subscriptionId);
      this.logger.log(`event.subscriber.recovered subscription=${subscriptionId}`);
    }
  }

  /** The fan-out's first attempt ran past its budget: slow, whatever the answer will be. */
  overBudget(subscriptionId: string, now = Date.now()): void {
    this.observe(subscriptionId, { elapsedMs: RULES.budgetMs, timedOut: true }, now);
  }

  /** Takes one of the subscription's places in the delivery lane: the release, or undefined when its share is in use. */
  enter(subscriptionId: string): (() => void) | undefined {
    const count = this.inFlight.get(subscriptionId) ?? 0;
    if (count >= MAX_IN_FLIGHT_PER_SUBSCRIPTION) return undefined;
    this.inFlight.set(subscriptionId, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inFlight.get(subscriptionId) ?? 1) - 1;
      if (left > 0) this.inFlight.set(subscriptionId, left);
      else this.inFlight.delete(subscriptionId);
    };
  }
}
