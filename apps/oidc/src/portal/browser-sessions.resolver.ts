import { Inject, Injectable } from '@nestjs/common';
import { TenantsService } from '@app/identity';
import { adminTokenFingerprint } from '@app/identity/audit/audit-actor';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import type { FastifyRequest } from 'fastify';
import { SessionStore } from '../sessions/session-store';
import { SessionUsers } from '../sessions/session-users';
import type { BrowserSessions } from './browser-admission';
import { BROWSER_COOKIES, BrowserCookies } from './browser-cookies';
import { ConsoleSessions } from './console-sessions';
import { PortalSessions } from './portal-sessions';

/**
 * Reads the sessions a request's cookies name, once per request: the console's, the
 * portal's and the gateway's. Each is checked against the present: a console session
 * started with an admin token that has since changed ends, as does a portal session
 * whose tenant is gone (a new tenant with the same slug is not the one the link was for).
 */
@Injectable()
export class BrowserSessionsResolver {
  private readonly resolved = new WeakMap<FastifyRequest, Promise<BrowserSessions>>();
  private readonly adminToken: string;

  constructor(
    @Inject(APP_CONFIG) config: ResolvedConfig,
    @Inject(BROWSER_COOKIES) private readonly cookies: BrowserCookies,
    private readonly consoles: ConsoleSessions,
    private readonly portals: PortalSessions,
    private readonly users: SessionUsers,
    private readonly gatewaySessions: SessionStore,
    private readonly tenants: TenantsService,
  ) {
    this.adminToken = adminTokenFingerprint(config.adminToken);
  }

  sessions(request: FastifyRequest): Promise<BrowserSessions> {
    let sessions = this.resolved.get(request);
    if (!sessions) {
      sessions = this.read(request);
      this.resolved.set(request, sessions);
    }
    return sessions;
  }

  private async read(request: FastifyRequest): Promise<BrowserSessions> {
    const [console, portal, user] = await Promise.all([
      this.console(request.cookies[this.cookies.console]),
      this.portal(request.cookies[this.cookies.portal]),
      this.users.current(request),
    ]);
    return {
      ...(console ? { console: { session: console } } : {}),
      ...(portal ? { portal: { session: portal } } : {}),
      ...(user
        ? {
            user: {
              sessionId: user.session.id,
              user: user.user,
              expiresAt: this.gatewaySessions.expiresAt(user.session),
            },
          }
        : {}),
    };
  }

  private async console(token: string | undefined) {
    const session = await this.consoles.get(token);
    if (!session || session.data.adminToken === this.adminToken) return session;
    await this.consoles.end(token);
    return undefined;
  }

  private async portal(token: string | undefined) {
    const session = await this.portals.get(token);
    if (!session) return undefined;
    const tenant = await this.tenants.findById(session.data.tenantId);
    if (tenant?.slug === session.data.tenantSlug) return session;
    await this.portals.end(token);
    return undefined;
  }
}
