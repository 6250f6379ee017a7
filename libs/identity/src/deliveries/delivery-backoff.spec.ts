import { DELIVERY_ATTEMPTS, deliveryBackoffDelay, deliveryScheduleSpanMs } from './delivery-backoff';

describe('delivery backoff', () => {
  const middle = (): number => 0.5;

  it('doubles from the base', () => {
    expect([1, 2, 3, 4, 5].map((retry) => deliveryBackoffDelay(retry, 1000, middle))).toEqual([
      1000, 2000, 4000, 8000, 16000,
    ]);
  });

  it('caps each delay at 240 × the base', () => {
    expect(deliveryBackoffDelay(9, 60_000, middle)).toBe(240 * 60_000);
    expect(deliveryBackoffDelay(40, 60_000, middle)).toBe(240 * 60_000);
  });

  it('spreads each delay by ±20 %', () => {
    expect(deliveryBackoffDelay(3, 1000, () => 0)).toBe(3200);
    expect(deliveryBackoffDelay(3, 1000, () => 0.999999)).toBe(4800);
  });

  it('spans about a day with the production base of one minute', () => {
    const hours = deliveryScheduleSpanMs(60_000) / 3_600_000;
    expect(hours).toBeGreaterThan(22);
    expect(hours).toBeLessThan(26);
    expect(DELIVERY_ATTEMPTS).toBe(14);
  });

  it('treats a retry number below 1 as the first retry', () => {
    expect(deliveryBackoffDelay(0, 1000, middle)).toBe(1000);
  });
});
