import { Release, TenantBusyError, TenantLimiter, TenantLimiterOptions } from './tenant-limiter';

const OPTIONS: TenantLimiterOptions = {
  tenantConcurrency: 2,
  tokenConcurrency: 2,
  tenantQueue: 2,
  maxWaitMs: 1_000,
  spareSlots: 0,
};

/** Whether a promise has settled by the time the microtask queue drains. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('TenantLimiter', () => {
  afterEach(() => jest.useRealTimers());

  it('runs a tenant up to its concurrency, queues the next ones, and refuses beyond the queue', async () => {
    const limiter = new TenantLimiter(OPTIONS);
    const running = [await limiter.acquire('a', 't1'), await limiter.acquire('a', 't1')];
    const queued = [limiter.acquire('a', 't1'), limiter.acquire('a', 't1')];
    await expect(limiter.acquire('a', 't1')).rejects.toEqual(new TenantBusyError('queue-full'));
    expect(limiter.load('a')).toEqual({ active: 2, waiting: 2 });
    expect(await settled(queued[0])).toBe(false);

    running[0]();
    expect(await settled(queued[0])).toBe(true);
    expect(await settled(queued[1])).toBe(false);
    expect(limiter.load('a')).toEqual({ active: 2, waiting: 1 });
  });

  it('never lets one tenant take another tenant’s turns', async () => {
    const limiter = new TenantLimiter(OPTIONS);
    await limiter.acquire('a', 't1');
    await limiter.acquire('a', 't1');
    void limiter.acquire('a', 't1').catch(() => undefined);
    void limiter.acquire('a', 't1').catch(() => undefined);
    await expect(limiter.acquire('a', 't1')).rejects.toBeInstanceOf(TenantBusyError);
    const other = await limiter.acquire('b', 't2');
    expect(limiter.load('b')).toEqual({ active: 1, waiting: 0 });
    other();
  });

  it('keeps room for a second token of the same tenant, which may pass a full token in the queue', async () => {
    const limiter = new TenantLimiter({ ...OPTIONS, tenantConcurrency: 3, tokenConcurrency: 2, tenantQueue: 4 });
    const first = await limiter.acquire('a', 'okta');
    await limiter.acquire('a', 'okta');
    const third = limiter.acquire('a', 'okta');
    expect(await settled(third)).toBe(false);
    const script = limiter.acquire('a', 'script');
    expect(await settled(script)).toBe(true);
    expect(limiter.load('a')).toEqual({ active: 3, waiting: 1 });
    first();
    expect(await settled(third)).toBe(true);
  });

  it('refuses a request that waited longer than maxWaitMs, and forgets it', async () => {
    jest.useFakeTimers();
    const limiter = new TenantLimiter({ ...OPTIONS, tenantConcurrency: 1 });
    const release = await limiter.acquire('a', 't1');
    const waiting = limiter.acquire('a', 't1');
    jest.advanceTimersByTime(OPTIONS.maxWaitMs);
    await expect(waiting).rejects.toEqual(new TenantBusyError('wait-expired'));
    expect(limiter.load('a')).toEqual({ active: 1, waiting: 0 });
    release();
    expect(limiter.load('a')).toEqual({ active: 0, waiting: 0 });
  });

  it('counts a release once, however often it is called', async () => {
    const limiter = new TenantLimiter({ ...OPTIONS, tenantConcurrency: 1 });
    const release: Release = await limiter.acquire('a', 't1');
    const next = limiter.acquire('a', 't1');
    release();
    release();
    await next;
    expect(limiter.load('a')).toEqual({ active: 1, waiting: 0 });
  });

  it('with no queue, refuses at once when the tenant is full', async () => {
    const limiter = new TenantLimiter({ ...OPTIONS, tenantConcurrency: 1, tenantQueue: 0 });
    const release = await limiter.acquire('a', 't1');
    await expect(limiter.acquire('a', 't1')).rejects.toEqual(new TenantBusyError('queue-full'));
    release();
    await expect(limiter.acquire('a', 't1')).resolves.toEqual(expect.any(Function));
  });

  describe('spare slots', () => {
    const SPARE = { ...OPTIONS, tenantConcurrency: 3, tokenConcurrency: 2, tenantQueue: 8, spareSlots: 2 };

    it('lends them to requests of bounded cost beyond the token’s bounds, never to costly ones', async () => {
      const limiter = new TenantLimiter(SPARE);
      await limiter.acquire('a', 't1');
      await limiter.acquire('a', 't1');
      const costly = limiter.acquire('a', 't1');
      const lookups = [limiter.acquire('a', 't1', true), limiter.acquire('a', 't1', true)];
      expect(await settled(lookups[0])).toBe(true);
      expect(await settled(lookups[1])).toBe(true);
      expect(await settled(costly)).toBe(false);
      expect(limiter.spareInUse()).toBe(2);
      // Both spares are out: the next lookup waits like any other request.
      const third = limiter.acquire('a', 't1', true);
      expect(await settled(third)).toBe(false);
      expect(limiter.load('a')).toEqual({ active: 4, waiting: 2 });

      // A spare given back goes to the waiting lookup; the costly search still waits for the token's own turn.
      (await lookups[0])();
      expect(await settled(third)).toBe(true);
      expect(await settled(costly)).toBe(false);
      expect(limiter.spareInUse()).toBe(2);
    });

    it('lends none while another tenant has a request running or waiting, and lends again once it is gone', async () => {
      const limiter = new TenantLimiter(SPARE);
      const own = [await limiter.acquire('a', 't1'), await limiter.acquire('a', 't1')];
      const b = await limiter.acquire('b', 't2');

      const lookup = limiter.acquire('a', 't1', true);
      expect(await settled(lookup)).toBe(false);
      expect(limiter.spareInUse()).toBe(0);

      // B's request ends: A alone, its next release starts the lookup, and a further lookup borrows a spare.
      b();
      own[0]();
      expect(await settled(lookup)).toBe(true);
      expect(await settled(limiter.acquire('a', 't1', true))).toBe(true);
      expect(limiter.spareInUse()).toBe(1);

      // B comes back: spares already lent run to their end, none more is lent.
      const bAgain = await limiter.acquire('b', 't2');
      expect(await settled(limiter.acquire('a', 't1', true))).toBe(false);
      expect(limiter.spareInUse()).toBe(1);
      bAgain();
    });

    it('gives every slot back: a tenant whose requests all ended is forgotten', async () => {
      const limiter = new TenantLimiter(SPARE);
      const releases = [
        await limiter.acquire('a', 't1', true),
        await limiter.acquire('a', 't1', true),
        await limiter.acquire('a', 't1', true),
        await limiter.acquire('a', 't1', true),
      ];
      expect(limiter.spareInUse()).toBe(2);
      for (const release of releases) {
        release();
        release();
      }
      expect(limiter.spareInUse()).toBe(0);
      expect(limiter.load('a')).toEqual({ active: 0, waiting: 0 });
    });

    it('lends none when there are none (spareSlots 0)', async () => {
      const limiter = new TenantLimiter({ ...SPARE, spareSlots: 0 });
      await limiter.acquire('a', 't1', true);
      await limiter.acquire('a', 't1', true);
      expect(await settled(limiter.acquire('a', 't1', true))).toBe(false);
    });
  });
});
