import type { IncomingHttpHeaders } from 'node:http';
import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitSettings, ResolvedConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MetricsRegistry } from '../metrics/http-metrics';
import { REDIS } from '../redis/redis.module';
import type { RedisClient } from '../redis/redis-topology';
import { clientAddress, clientAddressKey } from './client-address';

/** What the limits read of a request: its connection's address and its headers. */
export interface LimitedRequest {
  readonly ip: string;
  readonly headers: IncomingHttpHeaders;
}

/** What one limit answered: go on, or wait this long before trying again. */
export interface Verdict {
  readonly allowed: boolean;
  readonly retryAfterMs: number;
}

/** The limits the gateway keeps, each a fixed window counted in Redis. */
export type LimitName = 'scim-token' | 'auth-failures' | 'sign-in-starts' | 'sign-in-pending';

/** How long a started sign-in is kept (SIGN_IN_ATTEMPT_TTL_MS of the sign-in flow), in seconds. */
export const PENDING_SIGN_IN_SECONDS = 600;

const ALLOWED: Verdict = { allowed: true, retryAfterMs: 0 };

/** Most SCIM pace points taken from Redis in one round trip, and most tokens holding some. */
const MAX_RESERVED = 100;
const MAX_RESERVATIONS = 10_000;

/** A refusal for being over a limit: 429, with how long to wait. */
export class TooManyRequestsError extends HttpException {
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterMs: number) {
    super(message, HttpStatus.TOO_MANY_REQUESTS);
    this.retryAfterSeconds = retryAfterSecondsOf(retryAfterMs);
  }
}

/** The refusal of a request over a limit, its Retry-After set on the reply (RFC 6585 §4). */
export function tooManyRequests(
  reply: { header(name: string, value: string): unknown },
  verdict: Verdict,
  message: string,
): TooManyRequestsError {
  const error = new TooManyRequestsError(message, verdict.retryAfterMs);
  reply.header('retry-after', String(error.retryAfterSeconds));
  return error;
}

/** RFC 9110 §10.2.3: Retry-After in whole seconds, at least one. */
export function retryAfterSecondsOf(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}

/**
 * The gateway's rate limits, counted in Redis (rate-limiter-flexible) so that
 * they hold across replicas. Each key is one counter whose subject is a Redis
 * Cluster hash tag (`gw:rl:scim-token:{id}`): every command touches that one
 * key, so the limits work unchanged on a cluster, spread over its slots.
 *
 * Every limit fails open: when Redis is away (or not ready), the request goes
 * on as if no limit existed. The SCIM app serves without Redis and must keep
 * provisioning through an outage; sign-in cannot start without Redis anyway
 * (its pending state lives there), so it fails where it stores that state.
 */
@Injectable()
export class RateLimits {
  private readonly limiters: Readonly<Record<LimitName, RateLimiterRedis>>;
  private readonly settings: RateLimitSettings;
  private readonly outcomes: Counter<'limit' | 'outcome'>;
  /** Points of the SCIM pace taken from Redis ahead, per token, and until when they count (see reserve). */
  private readonly reservations = new Map<string, { points: number; until: number }>();
  private readonly reserving = new Map<string, Promise<boolean>>();

  constructor(
    @Inject(REDIS) redis: RedisClient,
    @Inject(APP_CONFIG) config: ResolvedConfig,
    registry: MetricsRegistry,
  ) {
    this.settings = config.rateLimits;
    this.outcomes = new Counter({
      name: 'gateway_rate_limit_events_total',
      help: 'Requests a rate limit held back: refused (over the limit), waited (SCIM pace), unchecked (Redis away)',
      labelNames: ['limit', 'outcome'],
      registers: [registry],
    });
    const limiter = (name: LimitName, points: number, duration: number) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${config.redisPrefix}:rl:${name}`,
        points,
        duration,
        // No waiting on a client that is reconnecting: fail open at once.
        rejectIfRedisNotReady: true,
      });
    this.limiters = {
      'scim-token': limiter('scim-token', this.settings.scimPerSecond, 1),
      'auth-failures': limiter('auth-failures', this.settings.authFailures, this.settings.authFailureWindowSeconds),
      'sign-in-starts': limiter('sign-in-starts', this.settings.signInStartsPerMinute, 60),
      'sign-in-pending': limiter('sign-in-pending', this.settings.signInPending, PENDING_SIGN_IN_SECONDS),
    };
  }

  /** Counts one event against a limit for a subject. */
  async hit(name: LimitName, subject: string): Promise<Verdict> {
    const verdict = await this.consume(name, subject);
    if (!verdict.allowed) this.outcomes.inc({ limit: name, outcome: 'refused' });
    return verdict;
  }

  private async consume(name: LimitName, subject: string): Promise<Verdict> {
    try {
      await this.limiters[name].consume(`{${subject}}`);
      return ALLOWED;
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return { allowed: false, retryAfterMs: outcome.msBeforeNext };
      // Redis away or not ready: fail open (see the class comment).
      this.outcomes.inc({ limit: name, outcome: 'unchecked' });
      return ALLOWED;
    }
  }

  /**
   * A point from the token's reservation, taking a new one from Redis when it ran out: one
   * reservation at a time per token, which the requests arriving meanwhile share.
   */
  private async fromReservation(tokenId: string): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (this.takeReserved(tokenId)) return true;
      let reserving = this.reserving.get(tokenId);
      if (!reserving) {
        reserving = this.reserve(tokenId).finally(() => this.reserving.delete(tokenId));
        this.reserving.set(tokenId, reserving);
      }
      if (!(await reserving)) return false;
    }
    return false;
  }

  /** A point of a token's reservation, if one is left in the current window. */
  private takeReserved(tokenId: string): boolean {
    const reservation = this.reservations.get(tokenId);
    if (!reservation || reservation.points === 0 || reservation.until <= Date.now()) return false;
    reservation.points -= 1;
    return true;
  }

  /**
   * Takes a tenth of a token's rate from Redis at once (one round trip for that many requests,
   * handed out by takeReserved until the window ends). Counted in Redis before any is used,
   * so the replicas together never pass the limit; points a replica leaves unused are lost to the
   * others for that window (at most a tenth of the rate per replica). Near the limit the reservation
   * is given back and the caller counts one point at a time. False when it got nothing.
   */
  private async reserve(tokenId: string): Promise<boolean> {
    const points = Math.min(MAX_RESERVED, Math.floor(this.settings.scimPerSecond / 10));
    if (points < 2) return false;
    const limiter = this.limiters['scim-token'];
    const key = `{${tokenId}}`;
    try {
      const taken = await limiter.consume(key, points);
      if (this.reservations.size >= MAX_RESERVATIONS) this.reservations.clear();
      this.reservations.set(tokenId, { points, until: Date.now() + taken.msBeforeNext });
      return true;
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) await limiter.reward(key, points).catch(() => undefined);
      // Over the limit, or Redis away: the one-point path below decides (and counts the outcome).
      return false;
    }
  }

  /**
   * Paces one SCIM token: within its rate a request goes on at once; over it,
   * the request waits for room in the next second (queueing, which an IdP's
   * few connections feel as back-pressure), and only a request still without
   * room after RATE_LIMIT_SCIM_MAX_WAIT_MS is refused. Entra ID quarantines a
   * job after repeated 429s, so 429 is kept for traffic far above an IdP's.
   */
  async paceScimToken(tokenId: string): Promise<Verdict> {
    if (await this.fromReservation(tokenId)) return ALLOWED;
    const deadline = Date.now() + this.settings.scimMaxWaitMs;
    for (let waits = 0; ; waits++) {
      const verdict = await this.consume('scim-token', tokenId);
      if (verdict.allowed) return verdict;
      // A little jitter, so waiting requests do not all come back in the same millisecond.
      const wait = verdict.retryAfterMs + Math.floor(Math.random() * 50);
      if (Date.now() + wait > deadline) {
        this.outcomes.inc({ limit: 'scim-token', outcome: 'refused' });
        return verdict;
      }
      if (waits === 0) this.outcomes.inc({ limit: 'scim-token', outcome: 'waited' });
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /**
   * Counts a failed authentication (a wrong SCIM token or admin token) from a
   * client address. Only failures count, and only after a credential failed:
   * a valid credential is never refused for what others did from its address
   * (one Okta address serves every customer).
   */
  failedAuthentication(request: LimitedRequest): Promise<Verdict> {
    return this.hit('auth-failures', this.addressKey(request));
  }

  /** Counts an anonymous sign-in start from a client address, then against the cap on pending sign-ins. */
  async signInStart(request: LimitedRequest): Promise<Verdict & { readonly limit?: 'address' | 'pending' }> {
    const fromAddress = await this.hit('sign-in-starts', this.addressKey(request));
    if (!fromAddress.allowed) return { ...fromAddress, limit: 'address' };
    const pending = await this.hit('sign-in-pending', 'all');
    return pending.allowed ? pending : { ...pending, limit: 'pending' };
  }

  private addressKey(request: LimitedRequest): string {
    return clientAddressKey(clientAddress(request, this.settings.trustedProxyHops));
  }
}
