import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { hashToken } from '@app/identity';
import { SecretBox } from '@app/identity/secrets/secret-box';
import { APP_CONFIG, REDIS, RedisClient, ResolvedConfig } from '@app/platform';
import { Session, sessionExpiresAt } from './session';
import { SessionEndReason, SessionEndings } from './session-endings';
import { SESSION_POLICY, SessionPolicy } from './session-policy';

/** What a new session starts from. */
export type NewSession = Pick<Session, 'tenantId' | 'tenantSlug' | 'userId'> & {
  /** The IdP's ID token, sealed before it is stored. */
  readonly idToken: string;
};

/**
 * Server-side sessions in Redis. The browser holds a random 256-bit token;
 * Redis holds the session under the token's SHA-256, so neither a Redis dump
 * nor a log of keys lets anyone act as the browser. Each user's sessions are
 * indexed, so all of them can end at once.
 *
 * Ready for Redis Cluster: a session's key and its user's index live in
 * different slots (a cookie names only the session), so no command or MULTI
 * spans both. Writes go in the order that fails safe: a session enters the
 * index before it exists and leaves it after it is gone, so the index may name
 * a session that is no more (skipped), never miss one that lives.
 */
@Injectable()
export class SessionStore {
  private readonly prefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) config: ResolvedConfig,
    @Inject(SESSION_POLICY) readonly policy: SessionPolicy,
    private readonly box: SecretBox,
    @Optional() private readonly endings: SessionEndings = new SessionEndings(),
  ) {
    this.prefix = `${config.redisPrefix}:sessions`;
  }

  /** Starts a session; the token is for the cookie and is not kept. */
  async create(fields: NewSession, id: string = randomUUID()): Promise<{ token: string; session: Session }> {
    const token = randomBytes(32).toString('base64url');
    const now = Date.now();
    const { idToken, ...owner } = fields;
    const session: Session = {
      ...owner,
      sealedIdToken: this.box.seal(idToken, sealContext(id)).toString('base64url'),
      id,
      createdAt: now,
      lastSeenAt: now,
      absoluteExpiresAt: now + this.policy.absoluteMs,
    };
    const digest = digestOf(token);
    const userKey = this.userKey(fields.userId);
    // Indexed first: ending all of the user's sessions then finds this one too.
    await this.redis.multi().sadd(userKey, digest).pexpire(userKey, this.policy.absoluteMs).exec();
    await this.redis.set(this.sessionKey(digest), JSON.stringify(session), 'PX', this.ttlOf(session, now));
    return { token, session };
  }

  /** The live session a cookie token names, its use recorded; undefined when there is none. */
  async get(token: string | undefined): Promise<Session | undefined> {
    if (!token || token.length > 100) return undefined;
    const digest = digestOf(token);
    const stored = await this.redis.get(this.sessionKey(digest));
    if (!stored) return undefined;
    const session = JSON.parse(stored) as Session;
    const now = Date.now();
    if (now >= sessionExpiresAt(session, this.policy.idleMs)) {
      await this.remove(digest, session.userId);
      await this.endings.ended([session], 'expired');
      return undefined;
    }
    if (now - session.lastSeenAt < this.policy.touchEveryMs) return session;
    const touched: Session = { ...session, lastSeenAt: now };
    // XX: a session ended meanwhile (logout, deactivation) is not brought back.
    await this.redis.set(this.sessionKey(digest), JSON.stringify(touched), 'PX', this.ttlOf(touched, now), 'XX');
    return touched;
  }

  /** The sign-in's ID token, for `id_token_hint`; undefined when it was not kept or does not open. */
  idTokenOf(session: Session): string | undefined {
    if (!session.sealedIdToken) return undefined;
    try {
      return this.box.open(Buffer.from(session.sealedIdToken, 'base64url'), sealContext(session.id));
    } catch {
      // A rotated SECRETS_KEY: logout still ends the session, only without the hint.
      return undefined;
    }
  }

  /** When the session ends unless used again. */
  expiresAt(session: Session): Date {
    return new Date(sessionExpiresAt(session, this.policy.idleMs));
  }

  /** Ends the session a cookie token names (`successor`: the new sign-in that replaces it); the session it was, if any. */
  async end(
    token: string | undefined,
    reason: SessionEndReason = 'logout',
    successor?: Session,
  ): Promise<Session | undefined> {
    if (!token || token.length > 100) return undefined;
    const digest = digestOf(token);
    const stored = await this.redis.getdel(this.sessionKey(digest));
    if (!stored) return undefined;
    const session = JSON.parse(stored) as Session;
    await this.redis.srem(this.userKey(session.userId), digest);
    await this.endings.ended([session], reason, successor);
    return session;
  }

  /** Ends every session of a user; the sessions there were. */
  async endAllOf(userId: string, reason: SessionEndReason = 'revoked'): Promise<Session[]> {
    const digests = await this.redis.smembers(this.userKey(userId));
    // One command per session (each in its own slot); then only the digests read leave the index, so a
    // session started meanwhile stays findable.
    const stored = await Promise.all(digests.map((digest) => this.redis.getdel(this.sessionKey(digest))));
    if (digests.length > 0) await this.redis.srem(this.userKey(userId), ...digests);
    const ended = stored
      .filter((value): value is string => typeof value === 'string')
      .map((value) => JSON.parse(value) as Session);
    await this.endings.ended(ended, reason);
    return ended;
  }

  /** The user's live session with this id, if it is still live (read only: its use is not recorded). */
  async liveById(userId: string, sessionId: string): Promise<Session | undefined> {
    const digests = await this.redis.smembers(this.userKey(userId));
    if (digests.length === 0) return undefined;
    const stored = await Promise.all(digests.map((digest) => this.redis.get(this.sessionKey(digest))));
    const now = Date.now();
    return stored
      .filter((value): value is string => value !== null)
      .map((value) => JSON.parse(value) as Session)
      .find((session) => session.id === sessionId && now < sessionExpiresAt(session, this.policy.idleMs));
  }

  private async remove(digest: string, userId: string): Promise<void> {
    await this.redis.del(this.sessionKey(digest));
    await this.redis.srem(this.userKey(userId), digest);
  }

  private ttlOf(session: Session, now: number): number {
    return Math.max(1, sessionExpiresAt(session, this.policy.idleMs) - now);
  }

  private sessionKey(digest: string): string {
    return `${this.prefix}:${digest}`;
  }

  private userKey(userId: string): string {
    return `${this.prefix}:user:${userId}`;
  }
}

function digestOf(token: string): string {
  return hashToken(token).toString('base64url');
}

/** What a session's sealed ID token is bound to, so it opens only in its own session. */
function sealContext(sessionId: string): string {
  return `session-id-token:${sessionId}`;
}
