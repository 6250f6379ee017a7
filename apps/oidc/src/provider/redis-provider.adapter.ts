import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { RedisClient } from '@app/platform/redis/redis-topology';

/**
 * The models `revokeByGrantId` removes: the tokens a grant issued. An interaction or a session names a
 * grant too, but revoking the grant must not end a sign-in in progress or the browser's session.
 */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

/** Sets `consumed` only on a token that still exists: a consumed code must not come back without its expiry. */
const CONSUME_SCRIPT = `if redis.call('exists', KEYS[1]) == 1 then return redis.call('hset', KEYS[1], 'consumed', ARGV[1]) end return 0`;

/**
 * oidc-provider's storage in Redis, ready for Redis Cluster: every key carries a
 * hash tag, each command touches one key, and what is used together shares a
 * slot (a grant and the index of its tokens: `{Grant:<id>}`). Tokens are hashes
 * (`payload`, and `consumed` once used), so consuming a code is one atomic write.
 */
export class RedisProviderAdapter implements Adapter {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly model: string,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const key = this.key(id);
    const write = this.redis.multi().del(key).hset(key, 'payload', JSON.stringify(payload));
    if (expiresIn) write.expire(key, expiresIn);
    await write.exec();
    const ttl = expiresIn ?? 0;
    const writes: Promise<unknown>[] = [];
    if (GRANTABLE.has(this.model) && typeof payload.grantId === 'string') {
      const index = this.grantIndex(payload.grantId);
      // The index lives as long as its longest-lived token: NX sets a first expiry, GT only ever extends it.
      writes.push(
        this.redis
          .multi()
          .sadd(index, key)
          .expire(index, Math.max(ttl, 1), 'NX')
          .expire(index, Math.max(ttl, 1), 'GT')
          .exec(),
      );
    }
    if (typeof payload.uid === 'string') writes.push(this.setLookup('uid', payload.uid, id, ttl));
    if (typeof payload.userCode === 'string') writes.push(this.setLookup('userCode', payload.userCode, id, ttl));
    await Promise.all(writes);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const stored = await this.redis.hgetall(this.key(id));
    if (!stored.payload) return undefined;
    const payload = JSON.parse(stored.payload) as AdapterPayload;
    return stored.consumed ? { ...payload, consumed: Number(stored.consumed) } : payload;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = await this.redis.get(this.lookupKey('uid', uid));
    return id ? this.find(id) : undefined;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const id = await this.redis.get(this.lookupKey('userCode', userCode));
    return id ? this.find(id) : undefined;
  }

  async consume(id: string): Promise<void> {
    await this.redis.eval(CONSUME_SCRIPT, 1, this.key(id), String(Math.floor(Date.now() / 1000)));
  }

  async destroy(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }

  /**
   * Deletes every token of the grant, then the index: one command per key, not one pipeline, since the
   * tokens live in other slots (a cluster client refuses a pipeline across slots).
   */
  async revokeByGrantId(grantId: string): Promise<void> {
    const index = this.grantIndex(grantId);
    const keys = await this.redis.smembers(index);
    await Promise.all(keys.map((key) => this.redis.del(key)));
    await this.redis.del(index);
  }

  private key(id: string): string {
    return `${this.prefix}:op:{${this.model}:${id}}`;
  }

  /** In the slot of the grant's own key. */
  private grantIndex(grantId: string): string {
    return `${this.prefix}:op:{Grant:${grantId}}:tokens`;
  }

  private lookupKey(kind: 'uid' | 'userCode', value: string): string {
    return `${this.prefix}:op:{${this.model}:${kind}:${value}}`;
  }

  private async setLookup(kind: 'uid' | 'userCode', value: string, id: string, ttl: number): Promise<void> {
    const key = this.lookupKey(kind, value);
    await (ttl > 0 ? this.redis.set(key, id, 'EX', ttl) : this.redis.set(key, id));
  }
}
