import { Inject, Injectable } from '@nestjs/common';
import type { SetupLinkScope } from '@app/identity/setup-links/setup-link.input';
import { APP_CONFIG, REDIS, RedisClient, ResolvedConfig } from '@app/platform';
import { BROWSER_SESSION_POLICY, BrowserSessionPolicy, BrowserSessionStore } from './browser-session.store';

/** What a setup link's portal session may do: its tenant's portal, for the link's scopes. */
export interface PortalSessionData {
  readonly tenantId: string;
  readonly tenantSlug: string;
  readonly scopes: SetupLinkScope[];
  readonly linkId: string;
  /** Where the link was sent, for the audit log. */
  readonly email: string | null;
}

/** Sessions of the setup portal (cookie `gw_portal`), each opened by one setup link and grouped under it. */
@Injectable()
export class PortalSessions extends BrowserSessionStore<PortalSessionData> {
  constructor(
    @Inject(REDIS) redis: RedisClient,
    @Inject(APP_CONFIG) config: ResolvedConfig,
    @Inject(BROWSER_SESSION_POLICY) policy: BrowserSessionPolicy,
  ) {
    super(redis, `${config.redisPrefix}:portal-sessions`, policy);
  }

  /** Ends the sessions a setup link opened (it was revoked). */
  endOfLink(linkId: string): Promise<number> {
    return this.endGroup(linkId);
  }
}
