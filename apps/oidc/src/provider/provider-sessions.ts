import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, REDIS, ResolvedConfig } from '@app/platform';
import type { Redis } from 'ioredis';
import { RedisProviderAdapter } from './redis-provider.adapter';

/**
 * The provider's own browser sessions (`gw_op_session`). Each rests on a
 * gateway session, and must not outlive it: the next sign-in in the browser
 * would otherwise get the ended products' `sid`s again, or the provider would
 * take another person's sign-in there for an account switch, and ask to log
 * the first one out.
 */
@Injectable()
export class ProviderSessions {
  private readonly sessions: RedisProviderAdapter;

  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: ResolvedConfig) {
    this.sessions = new RedisProviderAdapter(redis, config.redisPrefix, 'Session');
  }

  /** Whether the provider session with this uid is still signed in as `accountId`. */
  async isOf(uid: string, accountId: string): Promise<boolean> {
    return (await this.sessions.findByUid(uid))?.accountId === accountId;
  }

  /**
   * Ends the provider session with this uid if it is still `accountId`'s (not
   * someone's who signed in there since): the browser's next request starts a
   * new one, and each product it signs in to gets a new `sid`. Whether one ended.
   */
  async end(uid: string, accountId: string): Promise<boolean> {
    const stored = await this.sessions.findByUid(uid);
    if (stored?.accountId !== accountId || typeof stored.jti !== 'string') return false;
    await this.sessions.destroy(stored.jti);
    return true;
  }
}
