import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisProviderAdapter } from '../../apps/oidc/src/provider/redis-provider.adapter';
import { TEST_REDIS_URL, redisPrefix } from '../support/test-environment';

/** The Redis Cluster hash slot of a key (CRC16 of its hash tag, mod 16384), as the cluster computes it. */
function slotOf(key: string): number {
  const open = key.indexOf('{');
  const close = open >= 0 ? key.indexOf('}', open + 1) : -1;
  const tagged = open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key;
  let crc = 0;
  for (const byte of Buffer.from(tagged)) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

describe("the OpenID Provider's Redis adapter", () => {
  let redis: Redis;
  const prefix = `${redisPrefix()}-adapter-${randomBytes(3).toString('hex')}`;
  const adapter = (model: string) => new RedisProviderAdapter(redis, prefix, model);

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await Promise.all(keys.map((key) => redis.del(key)));
    redis.disconnect();
  });

  it('stores, finds and expires a token', async () => {
    const codes = adapter('AuthorizationCode');
    await codes.upsert('code-1', { accountId: 'u-1', grantId: 'g-1', iat: 1 }, 60);
    expect(await codes.find('code-1')).toEqual({ accountId: 'u-1', grantId: 'g-1', iat: 1 });
    const ttl = await redis.ttl(`${prefix}:op:{AuthorizationCode:code-1}`);
    expect(ttl).toBeGreaterThan(55);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(await codes.find('nope')).toBeUndefined();
  });

  it('consumes a code once, and never brings back one that is gone', async () => {
    const codes = adapter('AuthorizationCode');
    await codes.upsert('code-2', { accountId: 'u-1' }, 60);
    await codes.consume('code-2');
    const consumed = await codes.find('code-2');
    expect(typeof consumed?.consumed).toBe('number');
    await codes.destroy('code-2');
    await codes.consume('code-2');
    expect(await codes.find('code-2')).toBeUndefined();
    expect(await redis.exists(`${prefix}:op:{AuthorizationCode:code-2}`)).toBe(0);
  });

  it('finds a session by its uid, and an interaction by its user code', async () => {
    await adapter('Session').upsert('sess-1', { uid: 'uid-1', accountId: 'u-1' }, 60);
    expect(await adapter('Session').findByUid('uid-1')).toMatchObject({ accountId: 'u-1' });
    expect(await adapter('Session').findByUid('uid-2')).toBeUndefined();
    await adapter('DeviceCode').upsert('dc-1', { userCode: 'ABCD-EFGH' }, 60);
    expect(await adapter('DeviceCode').findByUserCode('ABCD-EFGH')).toMatchObject({ userCode: 'ABCD-EFGH' });
  });

  it("revokes every token of a grant, and leaves other grants' tokens alone", async () => {
    await adapter('AccessToken').upsert('at-1', { grantId: 'g-9' }, 60);
    await adapter('RefreshToken').upsert('rt-1', { grantId: 'g-9' }, 3600);
    await adapter('AccessToken').upsert('at-2', { grantId: 'g-10' }, 60);
    // A sign-in in progress names the grant too, and outlives its revocation.
    await adapter('Interaction').upsert('int-1', { grantId: 'g-9', uid: 'int-1' }, 60);
    const index = `${prefix}:op:{Grant:g-9}:tokens`;
    expect(await redis.ttl(index)).toBeGreaterThan(3500);
    await adapter('Grant').revokeByGrantId('g-9');
    expect(await adapter('AccessToken').find('at-1')).toBeUndefined();
    expect(await adapter('RefreshToken').find('rt-1')).toBeUndefined();
    expect(await adapter('AccessToken').find('at-2')).toBeDefined();
    expect(await adapter('Interaction').find('int-1')).toBeDefined();
    expect(await redis.exists(index)).toBe(0);
  });

  it('keeps what is used together in one cluster slot: a grant and the index of its tokens', async () => {
    const grantKey = `${prefix}:op:{Grant:g-11}`;
    const indexKey = `${prefix}:op:{Grant:g-11}:tokens`;
    expect(slotOf(grantKey)).toBe(slotOf(indexKey));
    expect(slotOf('123456789')).toBe(12739); // the Redis Cluster specification's CRC16 check value
    // Every key the adapter writes carries a hash tag.
    await adapter('Grant').upsert('g-11', { accountId: 'u-1' }, 60);
    await adapter('AccessToken').upsert('at-11', { grantId: 'g-11' }, 60);
    for (const key of await redis.keys(`${prefix}:*`)) expect(key).toMatch(/\{[^}]+\}/);
  });
});
