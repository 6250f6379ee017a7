import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { BrowserSessionPolicy, BrowserSessionStore } from './browser-session.store';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Portal and console sessions against a real Redis: grouping, and the idle and absolute limits. */
describe('BrowserSessionStore', () => {
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  const prefix = `gw-test-browser-sessions-${randomBytes(4).toString('hex')}`;
  const long: BrowserSessionPolicy = { idleMs: 60_000, absoluteMs: 120_000, touchEveryMs: 1_000 };
  const storeWith = (policy: BrowserSessionPolicy) => new BrowserSessionStore<{ n: number }>(redis, prefix, policy);
  const keys = () => redis.keys(`${prefix}:*`);

  beforeAll(() => redis.connect());
  afterEach(async () => {
    const written = await keys();
    if (written.length > 0) await redis.del(...written);
  });
  afterAll(() => redis.quit());

  it('keeps only the hash of the token, and ends a session by its token', async () => {
    const store = storeWith(long);
    const { token, session } = await store.create({ n: 1 });
    expect(await store.get(token)).toEqual(session);
    expect((await keys()).join()).not.toContain(token);
    expect(await store.end(token)).toEqual(session);
    expect(await store.get(token)).toBeUndefined();
  });

  it('ends every session of a group at once, and no other', async () => {
    const store = storeWith(long);
    const a = await store.create({ n: 1 }, 'link-1');
    const b = await store.create({ n: 2 }, 'link-1');
    const other = await store.create({ n: 3 }, 'link-2');
    expect(await store.endGroup('link-1')).toBe(2);
    expect(await store.get(a.token)).toBeUndefined();
    expect(await store.get(b.token)).toBeUndefined();
    expect(await store.get(other.token)).toBeDefined();
    expect(await redis.exists(`${prefix}:group:link-1`)).toBe(0);
  });

  it('writes the group index before the session: when the index cannot be written, no session exists', async () => {
    const store = storeWith(long);
    // A real Redis failure of the index write: the key holds a string, so SADD answers WRONGTYPE.
    await redis.set(`${prefix}:group:link-1`, 'not a set');
    await expect(store.create({ n: 1 }, 'link-1')).rejects.toThrow(/WRONGTYPE/);
    expect(await keys()).toEqual([`${prefix}:group:link-1`]);
  });

  it('passes over an index entry whose session was never written', async () => {
    const store = storeWith(long);
    const live = await store.create({ n: 1 }, 'link-1');
    await redis.sadd(`${prefix}:group:link-1`, 'a-digest-naming-no-session');
    expect(await store.endGroup('link-1')).toBe(1);
    expect(await store.get(live.token)).toBeUndefined();
  });

  it('keeps the index at least as long as any session it names', async () => {
    const store = storeWith(long);
    await store.create({ n: 1 }, 'link-1');
    const [session] = (await keys()).filter((key) => !key.includes(':group:'));
    expect(await redis.pttl(`${prefix}:group:link-1`)).toBeGreaterThanOrEqual(await redis.pttl(session));
  });

  it('ends a session unused for the idle time', async () => {
    const store = storeWith({ idleMs: 300, absoluteMs: 10_000, touchEveryMs: 50 });
    const { token } = await store.create({ n: 1 });
    await sleep(400);
    expect(await store.get(token)).toBeUndefined();
  });

  it('keeps a session in use past the idle time, and ends it at the absolute limit however busy', async () => {
    const store = storeWith({ idleMs: 500, absoluteMs: 1_500, touchEveryMs: 50 });
    const { token, session } = await store.create({ n: 1 });
    while (Date.now() < session.createdAt + 1_200) {
      expect(await store.get(token)).toBeDefined();
      await sleep(100);
    }
    await sleep(session.createdAt + 1_550 - Date.now());
    expect(await store.get(token)).toBeUndefined();
  });

  it('does not bring back a session ended while it was being used', async () => {
    const store = storeWith({ idleMs: 10_000, absoluteMs: 20_000, touchEveryMs: 0 });
    const { token } = await store.create({ n: 1 });
    const [reading] = await Promise.all([store.get(token), store.end(token)]);
    expect(reading === undefined || reading.data.n === 1).toBe(true);
    expect(await store.get(token)).toBeUndefined();
    expect(await keys()).toEqual([]);
  });
});
