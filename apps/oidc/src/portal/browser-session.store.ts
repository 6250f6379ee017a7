import { randomBytes, randomUUID } from 'node:crypto';
import type { PortalSessionLimits, RedisClient } from '@app/platform';
import { hashToken } from '@app/identity';

/** How long a portal or console session lives. */
export interface BrowserSessionPolicy {
  /** A session unused this long ends. */
  readonly idleMs: number;
  /** A session ends this long after it started, however busy. */
  readonly absoluteMs: number;
  /** Use is recorded at most this often, sparing Redis a write per request. */
  readonly touchEveryMs: number;
}

/** Injection token of the BrowserSessionPolicy. */
export const BROWSER_SESSION_POLICY = Symbol('BROWSER_SESSION_POLICY');

/**
 * The policy of the configured limits (PORTAL_SESSION_IDLE_MINUTES, PORTAL_SESSION_MAX_HOURS).
 * Use is recorded once a minute, or ten times per idle period when that is shorter, so a
 * session in use never reaches its idle limit between two records.
 */
export function browserSessionPolicy(limits: PortalSessionLimits): BrowserSessionPolicy {
  return {
    idleMs: limits.idleMs,
    absoluteMs: limits.absoluteMs,
    touchEveryMs: Math.min(60_000, Math.floor(limits.idleMs / 10)),
  };
}

/** A live session and what it may do. */
export interface BrowserSession<Data> {
  readonly id: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly absoluteExpiresAt: number;
  readonly data: Data;
}

/**
 * Server-side sessions in Redis, as SessionStore keeps the gateway's: the browser holds
 * a random 256-bit token, Redis holds the session under the token's SHA-256, so neither
 * a Redis dump nor a log of keys lets anyone act as the browser. Sessions may belong to
 * a group (the setup link that opened them), so all of them can end at once.
 */
export class BrowserSessionStore<Data> {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    readonly policy: BrowserSessionPolicy,
  ) {}

  /** Starts a session; the token is for the cookie and is not kept. */
  async create(data: Data, group?: string): Promise<{ token: string; session: BrowserSession<Data> }> {
    const token = randomBytes(32).toString('base64url');
    const now = Date.now();
    const session: BrowserSession<Data> = {
      id: randomUUID(),
      createdAt: now,
      lastSeenAt: now,
      absoluteExpiresAt: now + this.policy.absoluteMs,
      data,
    };
    const digest = digestOf(token);
    // The group's index before the session (the two keys need not share a Redis Cluster slot, so
    // no MULTI spans both): a failure between the writes leaves an index entry naming no session,
    // which endGroup passes over, never a session that ending its group would miss.
    if (group !== undefined) {
      const groupKey = this.groupKey(group);
      // One key, one slot: the entry and the index's lifetime are written together. The index
      // lives as long as a session may, so it outlives every session it names.
      const written = await this.redis.multi().sadd(groupKey, digest).pexpire(groupKey, this.policy.absoluteMs).exec();
      const failure = written?.find(([error]) => error)?.[0];
      if (failure) throw failure;
    }
    await this.redis.set(this.sessionKey(digest), JSON.stringify(session), 'PX', this.ttlOf(session, now));
    return { token, session };
  }

  /** The live session a cookie token names, its use recorded; undefined when there is none. */
  async get(token: string | undefined): Promise<BrowserSession<Data> | undefined> {
    if (!token || token.length > 100) return undefined;
    const key = this.sessionKey(digestOf(token));
    const stored = await this.redis.get(key);
    if (!stored) return undefined;
    const session = JSON.parse(stored) as BrowserSession<Data>;
    const now = Date.now();
    if (now >= this.expiresAtMs(session)) {
      await this.redis.del(key);
      return undefined;
    }
    if (now - session.lastSeenAt < this.policy.touchEveryMs) return session;
    const touched: BrowserSession<Data> = { ...session, lastSeenAt: now };
    // XX: a session ended meanwhile is not brought back.
    await this.redis.set(key, JSON.stringify(touched), 'PX', this.ttlOf(touched, now), 'XX');
    return touched;
  }

  /** Ends the session a cookie token names; the session it was, if any. */
  async end(token: string | undefined): Promise<BrowserSession<Data> | undefined> {
    if (!token || token.length > 100) return undefined;
    const stored = await this.redis.getdel(this.sessionKey(digestOf(token)));
    return stored ? (JSON.parse(stored) as BrowserSession<Data>) : undefined;
  }

  /** Ends every session of a group; how many there were. */
  async endGroup(group: string): Promise<number> {
    const digests = await this.redis.smembers(this.groupKey(group));
    let ended = 0;
    for (const digest of digests) ended += await this.redis.del(this.sessionKey(digest));
    await this.redis.del(this.groupKey(group));
    return ended;
  }

  /** When the session ends unless used again. */
  expiresAt(session: BrowserSession<Data>): Date {
    return new Date(this.expiresAtMs(session));
  }

  private expiresAtMs(session: BrowserSession<Data>): number {
    return Math.min(session.lastSeenAt + this.policy.idleMs, session.absoluteExpiresAt);
  }

  private ttlOf(session: BrowserSession<Data>, now: number): number {
    return Math.max(1, this.expiresAtMs(session) - now);
  }

  private sessionKey(digest: string): string {
    return `${this.prefix}:${digest}`;
  }

  private groupKey(group: string): string {
    return `${this.prefix}:group:${group}`;
  }
}

function digestOf(token: string): string {
  return hashToken(token).toString('base64url');
}
