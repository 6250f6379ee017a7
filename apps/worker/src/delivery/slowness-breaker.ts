/**
 * The slowness breaker's decisions, as pure functions of what the worker remembers
 * of a subscriber and the time. A subscriber that answers within the fan-out's
 * budget leaves no trace; one that timed out or answered late is remembered as
 * slow for a cool-off, during which the fan-out hands its deliveries straight to
 * delivery jobs. After the cool-off one first attempt (the probe) goes through
 * again: a timely answer forgets the slowness, a late one starts another cool-off.
 */

/** What the worker remembers of a subscriber that answered slowly. */
export interface Slowness {
  /** Until then (epoch ms) the fan-out makes no first attempt to the subscriber. */
  readonly until: number;
  /** When the probe now in flight started; null when none is. */
  readonly probeSince: number | null;
}

/** How one attempt went, as far as pace is concerned. */
export interface AttemptPace {
  readonly elapsedMs: number;
  /** Aborted at its timeout, with no answer. */
  readonly timedOut: boolean;
}

/** The breaker's settings. */
export interface BreakerRules {
  /** The fan-out waits this long for a first attempt (which then runs on without it); an answer later than this is slow. */
  readonly budgetMs: number;
  /** How long a slow subscriber gets no first attempt from the fan-out. */
  readonly coolOffMs: number;
  /** A probe that never reported back (its outcome could not be stored) is given up after this long. */
  readonly probeStaleMs: number;
}

/** `attempt`: an ordinary first attempt; `probe`: the one attempt after a cool-off; `defer`: hand it to a job. */
export type FirstAttemptDecision = 'attempt' | 'probe' | 'defer';

/** Whether the fan-out may make a first attempt to the subscriber now, and what to remember. */
export function decideFirstAttempt(
  slowness: Slowness | undefined,
  now: number,
  rules: BreakerRules,
): { readonly decision: FirstAttemptDecision; readonly next: Slowness | undefined } {
  if (!slowness) return { decision: 'attempt', next: undefined };
  if (now < slowness.until) return { decision: 'defer', next: slowness };
  // One probe at a time: the others would each pay the budget if the subscriber is still slow.
  if (slowness.probeSince !== null && now - slowness.probeSince < rules.probeStaleMs) {
    return { decision: 'defer', next: slowness };
  }
  return { decision: 'probe', next: { until: slowness.until, probeSince: now } };
}

/** What to remember after an attempt (the fan-out's or a delivery job's): slow, or nothing. */
export function afterAttempt(pace: AttemptPace, now: number, rules: BreakerRules): Slowness | undefined {
  if (pace.timedOut || pace.elapsedMs > rules.budgetMs) return { until: now + rules.coolOffMs, probeSince: null };
  // A timely answer, even an error or a refused connection, costs the fan-out nothing.
  return undefined;
}
