import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BackchannelLogoutJob } from '@app/identity/deliveries/delivery-jobs';
import { EventQueues } from '@app/identity/deliveries/event-queues';
import { ProductClientsService } from '@app/identity/product-clients/product-clients.service';
import { APP_CONFIG, REDIS, ResolvedConfig, isRedisConnectionError } from '@app/platform';
import type { Redis } from 'ioredis';
import type { Session } from '../sessions/session';
import { sessionExpiresAt } from '../sessions/session';
import { SessionEndReason, SessionEndings } from '../sessions/session-endings';
import { SessionStore } from '../sessions/session-store';
import { ProviderSessions } from './provider-sessions';
import { RedisProviderAdapter } from './redis-provider.adapter';

/** A product's session that rests on a gateway session. */
export interface ProductSessionBinding {
  readonly clientId: string;
  /** The user id: the `sub` of the product's ID token. */
  readonly sub: string;
  /** The session id in the product's ID token (`sid`). */
  readonly sid: string;
  /** The provider's grant behind the product's tokens. */
  readonly grantId?: string;
  /** The uid of the provider session (`gw_op_session`) that holds the product's `sid`. */
  readonly providerSession?: string;
}

/** How often each replica looks for gateway sessions that expired (Redis lets their keys lapse unannounced). */
export const EXPIRY_SWEEP_EVERY_MS = 5_000;
const SWEEP_BATCH = 200;

/**
 * The products' sessions that rest on each gateway session. When a gateway
 * session ends, by any path (SessionEndings), its products' grants are revoked,
 * each product that takes logout tokens gets a back-channel logout job,
 * delivered and retried by the worker, and the provider session that held them
 * ends, so a later sign-in in that browser is a new product session with a new
 * `sid` (a logout job's id is the product, the `sid` and the gateway session:
 * replicas announcing the same end make one job).
 *
 * Redis: one hash per gateway session (`{<session id>}`: one slot), and one
 * sorted set of the gateway sessions to watch for expiry, scored by when each
 * would end unless used. Every command touches one key.
 */
@Injectable()
export class ProductSessions implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProductSessions.name);
  private readonly prefix: string;
  private readonly grants: RedisProviderAdapter;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: ResolvedConfig,
    private readonly endings: SessionEndings,
    private readonly sessions: SessionStore,
    private readonly queues: EventQueues,
    private readonly clients: ProductClientsService,
    private readonly providerSessions: ProviderSessions,
  ) {
    this.prefix = `${config.redisPrefix}:product-sessions`;
    this.grants = new RedisProviderAdapter(redis, config.redisPrefix, 'Grant');
  }

  onApplicationBootstrap(): void {
    this.endings.listen((sessions, reason, successor) =>
      successor ? this.handOver(sessions, successor) : this.end(sessions, reason),
    );
    this.timer = setInterval(() => void this.sweep(), EXPIRY_SWEEP_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** Records that a product signed in on this gateway session. */
  async bind(session: Session, binding: ProductSessionBinding): Promise<void> {
    const key = this.bindingsKey(session.id);
    const keepMs = Math.max(session.absoluteExpiresAt - Date.now(), 0) + 3600_000;
    await this.redis.multi().hset(key, binding.clientId, JSON.stringify(binding)).pexpire(key, keepMs).exec();
    await this.redis.zadd(
      this.dueKey(),
      sessionExpiresAt(session, this.sessions.policy.idleMs),
      memberOf(session.userId, session.id),
    );
  }

  /** The products' sessions on a gateway session (for tests and support). */
  async bindings(sessionId: string): Promise<ProductSessionBinding[]> {
    const stored = await this.redis.hvals(this.bindingsKey(sessionId));
    return stored.map((value) => JSON.parse(value) as ProductSessionBinding);
  }

  /**
   * Ends what rests on the gateway sessions: grants revoked (refresh tokens stop
   * working; on mere expiry, an offline_access grant outlives the session, as
   * OpenID Connect means it to), and a logout job per product that takes them.
   */
  async end(sessions: readonly Session[], reason: SessionEndReason): Promise<void> {
    const logouts: BackchannelLogoutJob[] = [];
    for (const session of sessions) {
      await this.redis.zrem(this.dueKey(), memberOf(session.userId, session.id));
      const key = this.bindingsKey(session.id);
      const [[, stored]] = ((await this.redis.multi().hvals(key).del(key).exec()) ?? [[null, []]]) as [
        [unknown, string[]],
      ];
      const bindings = (stored ?? []).map((value) => JSON.parse(value) as ProductSessionBinding);
      // First, so that the browser's next sign-in cannot pick up these products' `sid`s again.
      const providerSessions = new Map<string, string>();
      for (const { providerSession, sub } of bindings) if (providerSession) providerSessions.set(providerSession, sub);
      for (const [uid, sub] of providerSessions) await this.providerSessions.end(uid, sub);
      for (const binding of bindings) {
        if (binding.grantId) await this.revokeGrant(binding.grantId, reason === 'expired');
        const client = await this.clients.find(binding.clientId);
        if (client?.backchannelLogoutUri)
          logouts.push({ clientId: binding.clientId, sub: binding.sub, sid: binding.sid, sessionId: session.id });
      }
    }
    if (logouts.length === 0) return;
    await this.queues.addBackchannelLogouts(logouts);
    this.logger.log({ reason, logouts: logouts.length }, 'product_sessions.ended');
  }

  /**
   * A new sign-in replaced gateway sessions in the same browser: the same person's product sessions now rest
   * on the new one (signing in again is no logout); another person's end.
   */
  async handOver(sessions: readonly Session[], successor: Session): Promise<void> {
    const others = sessions.filter((session) => session.userId !== successor.userId);
    for (const session of sessions.filter((s) => s.userId === successor.userId)) {
      await this.redis.zrem(this.dueKey(), memberOf(session.userId, session.id));
      const key = this.bindingsKey(session.id);
      const [[, stored]] = ((await this.redis.multi().hvals(key).del(key).exec()) ?? [[null, []]]) as [
        [unknown, string[]],
      ];
      for (const binding of (stored ?? []).map((value) => JSON.parse(value) as ProductSessionBinding)) {
        await this.bind(successor, binding);
      }
    }
    await this.end(others, 'logout');
  }

  /** Ends the product sessions of gateway sessions that expired; one replica takes each (ZREM decides). */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepDue()
      // Redis away is reported once by the app's shared client; the next sweep retries.
      .catch((error: unknown) =>
        isRedisConnectionError(error)
          ? this.logger.debug('expiry sweep skipped: Redis is away')
          : this.logger.warn({ err: error }, 'expiry sweep failed'),
      )
      .finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async sweepDue(): Promise<void> {
    const due = await this.redis.zrangebyscore(this.dueKey(), 0, Date.now(), 'LIMIT', 0, SWEEP_BATCH);
    for (const member of due) {
      const [userId, sessionId] = member.split('/');
      const live = await this.sessions.liveById(userId, sessionId);
      if (live) {
        await this.redis.zadd(this.dueKey(), 'XX', sessionExpiresAt(live, this.sessions.policy.idleMs), member);
        continue;
      }
      if ((await this.redis.zrem(this.dueKey(), member)) === 0) continue;
      await this.end([{ id: sessionId, userId } as Session], 'expired');
    }
  }

  private async revokeGrant(grantId: string, keepOffline: boolean): Promise<void> {
    if (keepOffline) {
      const grant = await this.grants.find(grantId);
      const scope = (grant?.openid as { scope?: string } | undefined)?.scope ?? '';
      if (scope.split(' ').includes('offline_access')) return;
    }
    await this.grants.revokeByGrantId(grantId);
    await this.grants.destroy(grantId);
  }

  private bindingsKey(sessionId: string): string {
    return `${this.prefix}:{${sessionId}}`;
  }

  private dueKey(): string {
    return `${this.prefix}:expiry`;
  }
}

function memberOf(userId: string, sessionId: string): string {
  return `${userId}/${sessionId}`;
}
