/**
 * The webhook retry schedule: exponential from DELIVERY_BACKOFF_MS, each delay
 * capped at 240 × the base and spread by ±20 % jitter so that receivers coming
 * back from an outage are not hit by every retry at once. With the production
 * base of 60 s the 13 retries wait 1, 2, 4 … 128 min, then 4 h five times:
 * about 24 h in all before a delivery is marked failed.
 */
export const DELIVERY_ATTEMPTS = 14;

const CAP_FACTOR = 240;
const JITTER = 0.2;

/** The delay before retry number `retry` (1 for the first retry). */
export function deliveryBackoffDelay(retry: number, baseMs: number, random: () => number = Math.random): number {
  const nominal = Math.min(baseMs * 2 ** Math.min(Math.max(retry, 1) - 1, 30), baseMs * CAP_FACTOR);
  return Math.round(nominal * (1 - JITTER + 2 * JITTER * random()));
}

/** The whole schedule's nominal span (without jitter), from first attempt to last. */
export function deliveryScheduleSpanMs(baseMs: number): number {
  let total = 0;
  for (let retry = 1; retry < DELIVERY_ATTEMPTS; retry++) total += deliveryBackoffDelay(retry, baseMs, () => 0.5);
  return total;
}
