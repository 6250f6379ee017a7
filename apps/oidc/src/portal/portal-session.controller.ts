import { Controller, Delete, Get, HttpCode, Inject, Req, Res, UnauthorizedException } from '@nestjs/common';
import { TenantsService } from '@app/identity';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import { SETUP_LINK_SCOPES, SetupLinkScope } from '@app/identity/setup-links/setup-link.input';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TENANT_ADMIN_ROLE, isTenantAdmin } from './browser-admission';
import { BROWSER_COOKIES, BrowserCookies } from './browser-cookies';
import { BrowserSessionsResolver } from './browser-sessions.resolver';
import { CSRF_HEADER, CsrfError, CsrfTokens } from './csrf-tokens';
import { PORTAL_PATH } from './portal-pages';
import { PortalSessions } from './portal-sessions';

/** `GET /portal/api/session` */
export interface PortalSessionBody {
  tenant: { slug: string; name: string };
  scopes: SetupLinkScope[];
  via: 'setup-link' | 'sign-in';
  csrfToken: string;
  expiresAt: string;
}

/** Who a signed-in browser is, when that person may not open the portal (403). */
export interface PortalSignedInAs {
  userName: string;
  tenant: { slug: string; name: string };
}

/**
 * The setup portal's session: the one a setup link opened (`gw_portal`) or, failing that,
 * the sign-in of an administrator of their own tenant (every scope). Without either, 401
 * whose body says how an administrator signs in (`signIn.url`, to which the page adds
 * `login_hint`) and whether a portal session has just ended (`ended`); a signed-in person
 * who is not their tenant's administrator, 403 naming them (`signedIn`).
 */
@Controller('portal/api/session')
export class PortalSessionController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    @Inject(BROWSER_COOKIES) private readonly cookies: BrowserCookies,
    private readonly portals: PortalSessions,
    private readonly browsers: BrowserSessionsResolver,
    private readonly tenants: TenantsService,
    private readonly csrf: CsrfTokens,
  ) {}

  @Get()
  async current(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    void reply.header('cache-control', 'no-store');
    const sessions = await this.browsers.sessions(request);
    if (sessions.portal) {
      const { session } = sessions.portal;
      return reply.send({
        tenant: await this.tenantOf(session.data.tenantId),
        scopes: session.data.scopes,
        via: 'setup-link',
        csrfToken: this.csrf.issue('portal', session.id),
        expiresAt: this.portals.expiresAt(session).toISOString(),
      } satisfies PortalSessionBody);
    }
    const user = sessions.user;
    if (user && isTenantAdmin(user.user, user.user.tenantSlug)) {
      return reply.send({
        tenant: await this.tenantOf(user.user.tenantId),
        scopes: [...SETUP_LINK_SCOPES],
        via: 'sign-in',
        csrfToken: this.csrf.issue('session', user.sessionId),
        expiresAt: user.expiresAt.toISOString(),
      } satisfies PortalSessionBody);
    }
    if (user) {
      const tenant = await this.tenantOf(user.user.tenantId);
      return reply.status(403).send({
        error: {
          code: 'not_tenant_admin',
          message: `${user.user.userName} is not an administrator of ${tenant.name}: the setup portal opens for a tenant's administrators (role "${TENANT_ADMIN_ROLE}") and with setup links`,
        },
        signedIn: { userName: user.user.userName, tenant } satisfies PortalSignedInAs,
      });
    }
    // A portal cookie without a live session: it ended (idle or absolute limit, or its link revoked).
    const ended = request.cookies[this.cookies.portal] !== undefined;
    if (ended) void reply.clearCookie(this.cookies.portal, this.cookies.options('portal'));
    const signIn = new URLSearchParams({ return_to: `${this.config.publicUrl}${PORTAL_PATH}` });
    return reply
      .status(401)
      .header('www-authenticate', 'Bearer')
      .send({
        error: {
          code: 'unauthorized',
          message: 'open your setup link again, or sign in as an administrator of your tenant',
        },
        ended,
        signIn: { url: `/auth/login?${signIn.toString()}` },
      });
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
