import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ResolvedConfig } from '../config/app-config';
import { MetricsRegistry } from '../metrics/http-metrics';
import { RateLimits } from './rate-limits';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The SCIM pace against a real Redis: points are taken ahead in batches, and the limit still holds. */
describe('RateLimits.paceScimToken', () => {
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  const prefix = `gw-test-pace-${randomBytes(4).toString('hex')}`;
  const limitsAt = (scimPerSecond: number) =>
    new RateLimits(
      redis,
      {
        redisPrefix: prefix,
        rateLimits: {
          scimPerSecond,
          scimMaxWaitMs: 0,
          authFailures: 50,
          authFailureWindowSeconds: 600,
          signInStartsPerMinute: 60,
          signInPending: 1000,
          trustedProxyHops: 0,
        },
      } as unknown as ResolvedConfig,
      new MetricsRegistry(),
    );

  beforeAll(() => redis.connect());
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('never allows more than the rate in a window, and nearly all of it', async () => {
    const limits = limitsAt(40);
    // Well within one window (it starts at the first request and lasts a second).
    const verdicts = await Promise.all(Array.from({ length: 100 }, () => limits.paceScimToken('token-a')));
    const allowed = verdicts.filter((verdict) => verdict.allowed).length;
    expect(allowed).toBeLessThanOrEqual(40);
    // A batch refused near the limit is given back, but counted for a moment: a few points may go unused.
    expect(allowed).toBeGreaterThanOrEqual(30);
    expect(verdicts.find((verdict) => !verdict.allowed)?.retryAfterMs).toBeGreaterThan(0);
  });

  it('takes points from Redis in batches (a tenth of the rate, at most 100): 200 requests, 2 round trips', async () => {
    const limits = limitsAt(1000);
    const consume = jest.spyOn(
      (limits as unknown as { limiters: Record<string, { consume: () => Promise<unknown> }> }).limiters['scim-token'],
      'consume',
    );
    for (let i = 0; i < 200; i++) expect((await limits.paceScimToken('token-d')).allowed).toBe(true);
    expect(consume).toHaveBeenCalledTimes(2);
    consume.mockRestore();
  });

  it('shares the limit between two replicas of the app', async () => {
    const [first, second] = [limitsAt(40), limitsAt(40)];
    const verdicts = await Promise.all(
      Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? first : second).paceScimToken('token-b')),
    );
    expect(verdicts.filter((verdict) => verdict.allowed).length).toBeLessThanOrEqual(40);
  });

  it('counts one point at a time when the rate is too small to share out', async () => {
    const limits = limitsAt(5);
    const verdicts = await Promise.all(Array.from({ length: 8 }, () => limits.paceScimToken('token-c')));
    expect(verdicts.filter((verdict) => verdict.allowed)).toHaveLength(5);
  });
});
