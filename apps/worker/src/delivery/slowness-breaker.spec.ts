import { BreakerRules, Slowness, afterAttempt, decideFirstAttempt } from './slowness-breaker';

describe('slowness breaker', () => {
  const rules: BreakerRules = { budgetMs: 1500, coolOffMs: 30_000, probeStaleMs: 15_000 };
  const slowUntil = (until: number, probeSince: number | null = null): Slowness => ({ until, probeSince });

  it.each([
    ['a subscriber never slow', undefined, 1_000, 'attempt'],
    ['a slow subscriber within its cool-off', slowUntil(30_000), 29_999, 'defer'],
    ['a slow subscriber after its cool-off', slowUntil(30_000), 30_000, 'probe'],
    ['a slow subscriber whose probe is in flight', slowUntil(30_000, 30_000), 31_000, 'defer'],
    ['a slow subscriber whose probe never reported back', slowUntil(30_000, 30_000), 45_000, 'probe'],
  ] as const)('decides for %s: %s', (_, slowness, now, decision) => {
    expect(decideFirstAttempt(slowness, now, rules).decision).toBe(decision);
  });

  it('lets one probe through after the cool-off, and defers the others while it is in flight', () => {
    const first = decideFirstAttempt(slowUntil(30_000), 30_500, rules);
    expect(first).toEqual({ decision: 'probe', next: slowUntil(30_000, 30_500) });
    expect(decideFirstAttempt(first.next, 30_600, rules).decision).toBe('defer');
  });

  it.each([
    ['a timely 2xx', { elapsedMs: 40, timedOut: false }, undefined],
    ['a timely refusal', { elapsedMs: 2, timedOut: false }, undefined],
    ['an answer right at the budget', { elapsedMs: 1500, timedOut: false }, undefined],
    ['an answer after the budget', { elapsedMs: 2000, timedOut: false }, slowUntil(130_000)],
    ['a timeout', { elapsedMs: 1500, timedOut: true }, slowUntil(130_000)],
    ['a delivery job’s 10 s timeout', { elapsedMs: 10_000, timedOut: true }, slowUntil(130_000)],
  ] as const)('remembers after %s: %j', (_, pace, expected) => {
    expect(afterAttempt(pace, 100_000, rules)).toEqual(expected);
  });

  it('starts a new cool-off when the probe is late, and forgets the slowness when it is on time', () => {
    const probing = decideFirstAttempt(slowUntil(30_000), 30_000, rules).next;
    expect(probing?.probeSince).toBe(30_000);
    expect(afterAttempt({ elapsedMs: 1500, timedOut: true }, 31_500, rules)).toEqual(slowUntil(61_500));
    expect(afterAttempt({ elapsedMs: 20, timedOut: false }, 30_020, rules)).toBeUndefined();
  });
});
