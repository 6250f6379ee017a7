import { Controller, Delete, Get, HttpCode, Inject, Req, Res, UnauthorizedException } from '@nestjs/common';
import { TenantsService } from '@app/identity';
import { SETUP_LINK_SCOPES, SetupLinkScope } from '@app/identity/setup-links/setup-link.input';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isTenantAdmin } from './browser-admission';
import { BROWSER_COOKIES, BrowserCookies } from './browser-cookies';
import { BrowserSessionsResolver } from './browser-sessions.resolver';
import { CSRF_HEADER, CsrfError, CsrfTokens } from './csrf-tokens';
import { PortalSessions } from './portal-sessions';

/** `GET /portal/api/session` */
export interface PortalSessionBody {
  tenant: { slug: string; name: string };
  scopes: SetupLinkScope[];
  via: 'setup-link' | 'sign-in';
  csrfToken: string;
  expiresAt: string;
}

/**
 * The setup portal's session: the one a setup link opened (`gw_portal`) or, failing that,
 * the sign-in of an administrator of their own tenant (every scope).
 */
@Controller('portal/api/session')
export class PortalSessionController {
  constructor(
    @Inject(BROWSER_COOKIES) private readonly cookies: BrowserCookies,
    private readonly portals: PortalSessions,
    private readonly browsers: BrowserSessionsResolver,
    private readonly tenants: TenantsService,
    private readonly csrf: CsrfTokens,
  ) {}

  @Get()
  async current(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PortalSessionBody> {
    void reply.header('cache-control', 'no-store');
    const sessions = await this.browsers.sessions(request);
    if (sessions.portal) {
      const { session } = sessions.portal;
      return {
        tenant: await this.tenantOf(session.data.tenantId),
        scopes: session.data.scopes,
        via: 'setup-link',
        csrfToken: this.csrf.issue('portal', session.id),
        expiresAt: this.portals.expiresAt(session).toISOString(),
      };
    }
    const user = sessions.user;
    if (user && isTenantAdmin(user.user, user.user.tenantSlug)) {
      return {
        tenant: await this.tenantOf(user.user.tenantId),
        scopes: [...SETUP_LINK_SCOPES],
        via: 'sign-in',
        csrfToken: this.csrf.issue('session', user.sessionId),
        expiresAt: user.expiresAt.toISOString(),
      };
    }
    throw new UnauthorizedException('open your setup link again, or sign in as an administrator of your tenant');
  }

  /** Leaves the portal: ends the setup link's session (a sign-in ends at /auth/logout). */
  @Delete()
  @HttpCode(204)
  async end(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    const { portal } = await this.browsers.sessions(request);
    if (portal) {
      if (!this.csrf.matches(request.headers[CSRF_HEADER], 'portal', portal.session.id)) throw new CsrfError();
      await this.portals.end(request.cookies[this.cookies.portal]);
    }
    void reply.clearCookie(this.cookies.portal, this.cookies.options('portal')).header('cache-control', 'no-store');
  }

  private async tenantOf(tenantId: string): Promise<{ slug: string; name: string }> {
    const tenant = await this.tenants.findById(tenantId);
    if (!tenant) throw new UnauthorizedException('this tenant no longer exists');
    return { slug: tenant.slug, name: tenant.name };
  }
}
