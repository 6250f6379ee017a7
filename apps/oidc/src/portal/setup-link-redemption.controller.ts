import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { SetupLinksService } from '@app/identity/setup-links/setup-links.service';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PAGE_HEADERS, signInPage } from '../sign-in/sign-in-page';
import { BROWSER_COOKIES, BrowserCookies } from './browser-cookies';
import { PORTAL_PATH } from './portal-pages';
import { PortalSessions } from './portal-sessions';
import { setupLinkRefusalPage } from './setup-link-pages';

/**
 * `GET /setup/:secret`: the first GET uses the link up and opens a portal session, in
 * one transaction (a session that fails to start leaves the link unused); then 302 to
 * the portal. A link that does not open answers a page saying why, and changes nothing.
 * Neither answer is cached, nor does the next page send this address as a Referer.
 */
@Controller('setup')
export class SetupLinkRedemptionController {
  constructor(
    @Inject(BROWSER_COOKIES) private readonly cookies: BrowserCookies,
    private readonly links: SetupLinksService,
    private readonly portals: PortalSessions,
  ) {}

  @Get(':secret')
  async open(
    @Param('secret') secret: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    void reply.headers(PAGE_HEADERS).header('referrer-policy', 'no-referrer');
    // Link checkers and previews probe with HEAD: only a GET may use the link up.
    if (request.method === 'HEAD') return reply.status(200).send();
    const redemption = await this.links.redeem(secret, (link) =>
      this.portals.create(
        {
          tenantId: link.tenant.id,
          tenantSlug: link.tenant.slug,
          scopes: link.scopes,
          linkId: link.id,
          email: link.email,
        },
        link.id,
      ),
    );
    if (!redemption.ok) {
      const page = setupLinkRefusalPage(redemption.reason);
      return reply.status(page.status).send(signInPage(page));
    }
    // The browser's earlier portal session, if any, is replaced rather than left behind; should
    // Redis fail just now, it ends on its own (idle timeout) and the new one still opens.
    await this.portals.end(request.cookies[this.cookies.portal]).catch(() => undefined);
    void reply.setCookie(
      this.cookies.portal,
      redemption.started.token,
      this.cookies.options('portal', this.portals.policy.absoluteMs),
    );
    // The portal's address holds no secret.
    return reply.redirect(PORTAL_PATH, 302);
  }
}
