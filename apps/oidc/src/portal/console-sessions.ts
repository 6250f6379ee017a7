import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, REDIS, RedisClient, ResolvedConfig } from '@app/platform';
import { BROWSER_SESSION_POLICY, BrowserSessionPolicy, BrowserSessionStore } from './browser-session.store';

/** An operator's console session started with the admin token. */
export interface ConsoleSessionData {
  /** The admin token's fingerprint when the session started: a new ADMIN_TOKEN ends the old sessions. */
  readonly adminToken: string;
}

/** Sessions of the operator console (cookie `gw_console`), each started by presenting the admin token. */
@Injectable()
export class ConsoleSessions extends BrowserSessionStore<ConsoleSessionData> {
  constructor(
    @Inject(REDIS) redis: RedisClient,
    @Inject(APP_CONFIG) config: ResolvedConfig,
    @Inject(BROWSER_SESSION_POLICY) policy: BrowserSessionPolicy,
  ) {
    super(redis, `${config.redisPrefix}:console-sessions`, policy);
  }
}
