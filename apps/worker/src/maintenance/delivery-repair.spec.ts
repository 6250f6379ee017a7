import { DeliveryJobLookup, RepairAction, repairAction, repairDelayMs } from './delivery-repair';

describe('repairAction', () => {
  it.each<[DeliveryJobLookup, RepairAction]>([
    ['missing', 'add'],
    ['unknown', 'add'],
    ['failed', 'replace'],
    ['delayed', 'none'],
    ['waiting', 'none'],
    ['prioritized', 'none'],
    ['active', 'none'],
    ['waiting-children', 'none'],
    ['completed', 'replace'],
  ])('a pending delivery whose job is %s: %s', (lookup, action) => {
    expect(repairAction(lookup)).toBe(action);
  });
});

describe('repairDelayMs', () => {
  const MINUTE = 60_000;

  it('queues a delivery with no attempt yet at once', () => {
    expect(repairDelayMs(0, 20 * MINUTE, MINUTE)).toBe(0);
  });

  it('queues a retry whose backoff is over at once', () => {
    // The first retry is due ~1 min after the first attempt; the row has been idle 20 min.
    expect(repairDelayMs(1, 20 * MINUTE, MINUTE)).toBe(0);
  });

  it('keeps what is left of a long backoff', () => {
    // The 9th retry waits 4 h (±20 %); 20 min of it have passed.
    const delay = repairDelayMs(9, 20 * MINUTE, MINUTE);
    expect(delay).toBeGreaterThan(0.8 * 240 * MINUTE - 20 * MINUTE - 1);
    expect(delay).toBeLessThan(1.2 * 240 * MINUTE - 20 * MINUTE + 1);
  });
});
