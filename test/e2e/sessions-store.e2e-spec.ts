import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { ResolvedConfig } from '@app/platform';
import type { Session } from '../../apps/oidc/src/sessions/session';
import type { SessionPolicy } from '../../apps/oidc/src/sessions/session-policy';
import { NewSession, SessionStore } from '../../apps/oidc/src/sessions/session-store';
import { SecretBox } from '@app/identity/secrets/secret-box';
import { TEST_REDIS_URL, redisPrefix } from '../support/test-environment';

/** Short enough to watch sessions end, long enough that a busy test machine does not end them early. */
const POLICY: SessionPolicy = { idleMs: 600, absoluteMs: 1800, touchEveryMs: 0 };
const ID_TOKEN = 'eyJ.id-token.sig';

describe('SessionStore on Redis', () => {
  let redis: Redis;
  let prefix: string;
  let store: SessionStore;
  const box = new SecretBox(randomBytes(32));

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
    prefix = `${redisPrefix()}-sessions-${randomBytes(4).toString('hex')}`;
    store = storeWith(POLICY);
  });
  afterAll(async () => {
    const keys = await keysOf();
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  function storeWith(policy: SessionPolicy): SessionStore {
    // The store reads only the Redis prefix from the configuration.
    return new SessionStore(redis, { redisPrefix: prefix } as ResolvedConfig, policy, box);
  }

  function fieldsFor(userId: string = randomUUID()): NewSession {
    return { tenantId: randomUUID(), tenantSlug: 'acme', userId, idToken: ID_TOKEN };
  }

  async function keysOf(): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return keys;
  }

  const digestOf = (token: string) => createHash('sha256').update(token).digest('base64url');
  const sessionKey = (token: string) => `${prefix}:sessions:${digestOf(token)}`;
  const userKey = (userId: string) => `${prefix}:sessions:user:${userId}`;

  it('creates a session that get returns, with a random 256-bit token', async () => {
    const fields = fieldsFor();
    const before = Date.now();
    const { token, session } = await store.create(fields, 'session-1');
    expect(token).toMatch(/^[\w-]{43}$/);
    const { idToken: _idToken, ...owner } = fields;
    expect(session).toEqual({
      ...owner,
      sealedIdToken: expect.any(String),
      id: 'session-1',
      createdAt: expect.any(Number),
      lastSeenAt: session.createdAt,
      absoluteExpiresAt: session.createdAt + POLICY.absoluteMs,
    });
    expect(session.createdAt).toBeGreaterThanOrEqual(before);
    expect(await store.get(token)).toMatchObject({ ...owner, id: 'session-1', createdAt: session.createdAt });
    expect(store.idTokenOf((await store.get(token))!)).toBe(ID_TOKEN);
    expect((await store.create(fields)).token).not.toBe(token);
  });

  it("keeps the IdP's ID token sealed: Redis never holds it, and it opens only in its own session", async () => {
    const { token, session } = await store.create(fieldsFor(), 'session-sealed');
    const stored = (await redis.get(sessionKey(token))) ?? '';
    expect(stored).toContain('sealedIdToken');
    expect(stored).not.toContain(ID_TOKEN);
    expect(store.idTokenOf(session)).toBe(ID_TOKEN);
    // Moved to another session, the sealed value does not open.
    expect(store.idTokenOf({ ...session, id: 'another-session' })).toBeUndefined();
    // Under another SECRETS_KEY it does not open either; logout then goes without the hint.
    const rekeyed = new SessionStore(
      redis,
      { redisPrefix: prefix } as ResolvedConfig,
      POLICY,
      new SecretBox(randomBytes(32)),
    );
    expect(rekeyed.idTokenOf(session)).toBeUndefined();
    // A session stored before sealing has none.
    const { sealedIdToken: _sealed, ...older } = session;
    expect(store.idTokenOf(older)).toBeUndefined();
  });

  it("keeps the session under the token's SHA-256: no key or value holds the token", async () => {
    const fields = fieldsFor();
    const { token } = await store.create(fields);
    const keys = await keysOf();
    expect(keys).toContain(sessionKey(token));
    expect(keys).toContain(userKey(fields.userId));
    for (const key of keys) {
      expect(key).not.toContain(token);
      const type = await redis.type(key);
      const values = type === 'set' ? await redis.smembers(key) : [(await redis.get(key)) ?? ''];
      for (const value of values) expect(value).not.toContain(token);
    }
    expect(await redis.smembers(userKey(fields.userId))).toEqual([digestOf(token)]);
    // Redis itself forgets the session at its idle deadline; the user's index at the absolute one.
    expect(await redis.pttl(sessionKey(token))).toBeGreaterThan(0);
    expect(await redis.pttl(sessionKey(token))).toBeLessThanOrEqual(POLICY.idleMs);
    expect(await redis.pttl(userKey(fields.userId))).toBeLessThanOrEqual(POLICY.absoluteMs);
  });

  it('ends a session not used for idleMs', async () => {
    const { token } = await store.create(fieldsFor());
    await sleep(POLICY.idleMs + 100);
    expect(await store.get(token)).toBeUndefined();
    expect(await redis.exists(sessionKey(token))).toBe(0);
  });

  it('extends a session used within idleMs, up to the absolute timeout and no further', async () => {
    const { token, session } = await store.create(fieldsFor());
    let lastExpiry = store.expiresAt(session).getTime();
    // Used every third of the idle time: it outlives idleMs several times over.
    while (Date.now() < session.absoluteExpiresAt - 250) {
      await sleep(POLICY.idleMs / 3);
      const used = await store.get(token);
      expect(used).toBeDefined();
      const expiry = store.expiresAt(used!).getTime();
      expect(expiry).toBeGreaterThanOrEqual(lastExpiry);
      expect(expiry).toBeLessThanOrEqual(session.absoluteExpiresAt);
      lastExpiry = expiry;
    }
    expect(Date.now() - session.createdAt).toBeGreaterThan(2 * POLICY.idleMs);
    // Near the end the idle deadline is past the absolute one: the absolute one wins.
    expect(lastExpiry).toBe(session.absoluteExpiresAt);
    while (Date.now() <= session.absoluteExpiresAt + 50) {
      await sleep(POLICY.idleMs / 6);
      if (Date.now() < session.absoluteExpiresAt - 50) expect(await store.get(token)).toBeDefined();
    }
    expect(await store.get(token)).toBeUndefined();
    expect(await redis.exists(sessionKey(token))).toBe(0);
  });

  it('records use at most every touchEveryMs', async () => {
    const lazy = storeWith({ ...POLICY, touchEveryMs: 60_000 });
    const { token, session } = await lazy.create(fieldsFor());
    await sleep(50);
    expect((await lazy.get(token))?.lastSeenAt).toBe(session.lastSeenAt);
    expect(JSON.parse((await redis.get(sessionKey(token)))!).lastSeenAt).toBe(session.lastSeenAt);

    const eager = storeWith(POLICY);
    await sleep(5);
    const touched = await eager.get(token);
    expect(touched!.lastSeenAt).toBeGreaterThan(session.lastSeenAt);
    expect(JSON.parse((await redis.get(sessionKey(token)))!).lastSeenAt).toBe(touched!.lastSeenAt);
  });

  it('end removes the session and returns it; a second end finds nothing', async () => {
    const fields = fieldsFor();
    const { token, session } = await store.create(fields);
    const other = await store.create(fields);
    expect(await store.end(token)).toMatchObject({ id: session.id, userId: fields.userId });
    expect(await store.get(token)).toBeUndefined();
    expect(await redis.exists(sessionKey(token))).toBe(0);
    expect(await redis.smembers(userKey(fields.userId))).toEqual([digestOf(other.token)]);
    expect(await store.end(token)).toBeUndefined();
    expect(await store.get(other.token)).toBeDefined();
  });

  it("endAllOf ends every session of the user and none of another user's", async () => {
    const ann = randomUUID();
    const ben = randomUUID();
    const anns = await Promise.all([1, 2, 3].map(() => store.create(fieldsFor(ann))));
    const bens = await store.create(fieldsFor(ben));
    expect((await store.endAllOf(ann)).map((s) => s.userId)).toEqual([ann, ann, ann]);
    for (const { token } of anns) expect(await store.get(token)).toBeUndefined();
    expect(await redis.exists(userKey(ann))).toBe(0);
    expect(await store.get(bens.token)).toMatchObject({ userId: ben });
    expect(await store.endAllOf(ann)).toEqual([]);
    expect(await store.endAllOf(randomUUID())).toEqual([]);
  });

  it('answers a token of the wrong shape with undefined, and one too long without asking Redis', async () => {
    const { token } = await store.create(fieldsFor());
    const get = jest.spyOn(redis, 'get');
    const getdel = jest.spyOn(redis, 'getdel');
    try {
      for (const wrong of [undefined, '', 'x'.repeat(101), token.repeat(3), 'a'.repeat(100_000)]) {
        expect(await store.get(wrong)).toBeUndefined();
        expect(await store.end(wrong)).toBeUndefined();
      }
      expect(get).not.toHaveBeenCalled();
      expect(getdel).not.toHaveBeenCalled();
      for (const odd of ['*', `${prefix}:sessions:*`, 'ü\u0000\r\n', token.slice(1), `${token}=`]) {
        expect(await store.get(odd)).toBeUndefined();
        expect(await store.end(odd)).toBeUndefined();
      }
    } finally {
      get.mockRestore();
      getdel.mockRestore();
    }
    // None of it touched the real session.
    expect(await store.get(token)).toBeDefined();
  });

  it('expiresAt is the earlier of lastSeenAt + idleMs and the absolute deadline', () => {
    const at = (lastSeenAt: number, absoluteExpiresAt: number): Session => ({
      ...fieldsFor(),
      id: 's',
      createdAt: 0,
      lastSeenAt,
      absoluteExpiresAt,
    });
    expect(store.expiresAt(at(1_000, 10_000)).getTime()).toBe(1_000 + POLICY.idleMs);
    expect(store.expiresAt(at(9_900, 10_000)).getTime()).toBe(10_000);
    expect(store.expiresAt(at(10_000 - POLICY.idleMs, 10_000)).getTime()).toBe(10_000);
  });
});
