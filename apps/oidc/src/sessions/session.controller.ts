import {
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import { APP_CONFIG, ResolvedConfig, isSameOriginRequest } from '@app/platform';
import { DownstreamTokenIssuer } from '@app/identity/signing-keys/downstream-token.issuer';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AUTH_COOKIES } from '../sign-in/auth-cookies.provider';
import type { AuthCookies } from '../sign-in/cookies';
import { PAGE_HEADERS, signInPage } from '../sign-in/sign-in-page';
import { SessionStore } from './session-store';
import { CurrentUser, SessionUsers } from './session-users';
import { SignOutFlow } from './sign-out-flow.service';

/** `GET /auth/me` */
export interface MeBody {
  user: {
    id: string;
    tenant: string;
    userName: string;
    email: string | null;
    name: string | null;
    roles: string[];
    teams: string[];
    groups: string[];
  };
  session: { id: string; expiresAt: string };
}

/** `POST /auth/token` */
export interface TokenBody {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/** What a signed-in browser can do with its session: see it, trade it for a token, end it. */
@Controller('auth')
export class SessionController {
  constructor(
    private readonly currentUsers: SessionUsers,
    private readonly sessions: SessionStore,
    private readonly tokens: DownstreamTokenIssuer,
    private readonly signOut: SignOutFlow,
    @Inject(AUTH_COOKIES) private readonly cookies: AuthCookies,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  @Get('me')
  async me(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<MeBody> {
    const { session, user } = await this.require(request);
    void reply.header('cache-control', 'no-store');
    return {
      user: {
        id: user.id,
        tenant: user.tenantSlug,
        userName: user.userName,
        email: user.email,
        name: user.name,
        roles: user.roles,
        teams: user.teams,
        groups: user.groups,
      },
      session: { id: session.id, expiresAt: this.sessions.expiresAt(session).toISOString() },
    };
  }

  /** A short-lived JWT for downstream products, for the current session. */
  @Post('token')
  @HttpCode(200)
  async token(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<TokenBody> {
    const { session, user } = await this.require(request);
    const issued = await this.tokens.issue({
      userId: user.id,
      tenantSlug: user.tenantSlug,
      email: user.email,
      name: user.name,
      roles: user.roles,
      teams: user.teams,
      sessionId: session.id,
    });
    void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    return { access_token: issued.accessToken, token_type: 'Bearer', expires_in: issued.expiresIn };
  }

  /**
   * Ends the session, then sends the browser to the IdP's end-session endpoint
   * so the IdP's session ends too, and from there to the tenant's sign-out URL.
   */
  @Get('logout')
  async logout(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.endSession(request, reply, 302);
  }

  /**
   * The same from a form or script of the gateway's own pages. CSRF: only a
   * same-origin request may end a session this way (isSameOriginRequest reads
   * Sec-Fetch-Site and Origin), so another site cannot sign a person out by
   * making the browser post here. 302, as for GET (browsers follow a 302
   * after a POST with a GET, as they do a 303).
   */
  @Post('logout')
  async logoutByPost(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (!isSameOriginRequest(request.headers, this.config.publicUrl)) {
      throw new ForbiddenException('logout must come from a page of this gateway (Origin or Sec-Fetch-Site)');
    }
    return this.endSession(request, reply, 302);
  }

  /** Where the IdP returns a signed-out browser: on to the tenant's post-logout URL, or a plain page. */
  @Get('logged-out/:slug')
  async loggedOut(@Param('slug') slug: string, @Res() reply: FastifyReply): Promise<void> {
    const next = await this.signOut.postLogoutUrl(slug);
    return next ? reply.redirect(next, 302) : this.signedOutPage(reply);
  }

  private async endSession(request: FastifyRequest, reply: FastifyReply, status: 302): Promise<void> {
    const next = await this.signOut.signOut(request.cookies[this.cookies.session]);
    void reply.clearCookie(this.cookies.session, this.cookies.options()).header('cache-control', 'no-store');
    return next ? reply.redirect(next, status) : this.signedOutPage(reply);
  }

  private async require(request: FastifyRequest): Promise<CurrentUser> {
    const current = await this.currentUsers.current(request);
    if (!current) throw new UnauthorizedException('not signed in');
    return current;
  }

  private signedOutPage(reply: FastifyReply): void {
    void reply
      .status(200)
      .headers(PAGE_HEADERS)
      .send(signInPage({ title: 'Signed out', message: 'You are signed out. You can close this window.' }));
  }
}
