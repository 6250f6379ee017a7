import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res, UnauthorizedException } from '@nestjs/common';
import { TenantsService, secretsEqual } from '@app/identity';
import { adminTokenFingerprint } from '@app/identity/audit/audit-actor';
import { APP_CONFIG, RateLimits, ResolvedConfig, tooManyRequests } from '@app/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ZodValidationPipe } from '../admin/zod-validation.pipe';
import { isOperator } from './browser-admission';
import { BROWSER_COOKIES, BrowserCookies } from './browser-cookies';
import { BrowserSessionsResolver } from './browser-sessions.resolver';
import { ConsoleSessions } from './console-sessions';
import { CSRF_HEADER, CsrfError, CsrfTokens } from './csrf-tokens';

/** `GET /console/api/session` */
export interface ConsoleSessionBody {
  kind: 'operator';
  via: 'admin-token' | 'sign-in';
  label: string;
  csrfToken: string;
  expiresAt: string;
}

/** `GET /console/api/sign-in` */
export interface ConsoleSignInBody {
  signInUrl: string | null;
}

const startConsoleSessionInput = z.strictObject({
  adminToken: z.string({ error: 'must be the admin token' }).min(1, 'must be the admin token').max(1000),
});

/**
 * The operator console's session: started by presenting the admin token once (the browser
 * then holds only a session cookie, never the token), or the sign-in of an operator of
 * OPERATORS_TENANT. What it admits is decided by AdminAuthGuard.
 */
@Controller('console/api')
export class ConsoleSessionController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    @Inject(BROWSER_COOKIES) private readonly cookies: BrowserCookies,
    private readonly consoles: ConsoleSessions,
    private readonly browsers: BrowserSessionsResolver,
    private readonly csrf: CsrfTokens,
    private readonly limits: RateLimits,
    private readonly tenants: TenantsService,
  ) {}

  /**
   * Where an operator signs in through the gateway (OPERATORS_TENANT set), back to the
   * console; null when only the admin token opens it.
   */
  @Get('sign-in')
  async signIn(): Promise<ConsoleSignInBody> {
    return { signInUrl: (await this.signInOffer())?.url ?? null };
  }

  /** Exchanges the admin token for a console session; a wrong token counts as a failed authentication. */
  @Post('session')
  async start(
    @Body(new ZodValidationPipe(startConsoleSessionInput)) input: z.output<typeof startConsoleSessionInput>,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConsoleSessionBody> {
    if (!secretsEqual(input.adminToken, this.config.adminToken)) {
      const failures = await this.limits.failedAuthentication(request);
      if (!failures.allowed) {
        throw tooManyRequests(reply, failures, 'too many failed authentications from this address; retry later');
      }
      throw new UnauthorizedException('wrong admin token');
    }
    // A new session, never the one the browser came with (session fixation).
    await this.consoles.end(request.cookies[this.cookies.console]);
    const { token, session } = await this.consoles.create({ adminToken: adminTokenFingerprint(input.adminToken) });
    void reply
      .setCookie(this.cookies.console, token, this.cookies.options('console', this.consoles.policy.absoluteMs))
      .header('cache-control', 'no-store');
    return {
      kind: 'operator',
      via: 'admin-token',
      label: 'console',
      csrfToken: this.csrf.issue('console', session.id),
      expiresAt: this.consoles.expiresAt(session).toISOString(),
    };
  }

  /**
   * The console's session, or 401 whose body also offers the operators' sign-in
   * (`signIn: {url, label}`, with OPERATORS_TENANT) for the console's sign-in page.
   */
  @Get('session')
  async current(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    void reply.header('cache-control', 'no-store');
    const session = await this.sessionOf(request);
    if (session) return reply.send(session);
    const offer = await this.signInOffer();
    return reply
      .status(401)
      .header('www-authenticate', 'Bearer')
      .send({
        error: { code: 'unauthorized', message: 'not signed in to the console' },
        ...(offer ? { signIn: offer } : {}),
      });
  }

  private async sessionOf(request: FastifyRequest): Promise<ConsoleSessionBody | undefined> {
    const sessions = await this.browsers.sessions(request);
    if (sessions.console) {
      const { session } = sessions.console;
      return {
        kind: 'operator',
        via: 'admin-token',
        label: 'console',
        csrfToken: this.csrf.issue('console', session.id),
        expiresAt: this.consoles.expiresAt(session).toISOString(),
      };
    }
    const user = sessions.user;
    if (user && isOperator(user.user, this.config.operatorsTenant)) {
      return {
        kind: 'operator',
        via: 'sign-in',
        label: user.user.userName,
        csrfToken: this.csrf.issue('session', user.sessionId),
        expiresAt: user.expiresAt.toISOString(),
      };
    }
    return undefined;
  }

  /** The operators' tenant sign-in, back to the console; undefined without OPERATORS_TENANT (or its tenant). */
  private async signInOffer(): Promise<{ url: string; label: string } | undefined> {
    const slug = this.config.operatorsTenant;
    if (slug === undefined) return undefined;
    const tenant = await this.tenants.get(slug).catch(() => undefined);
    if (!tenant) return undefined;
    const query = new URLSearchParams({ tenant: slug, return_to: `${this.config.publicUrl}/console` });
    return { url: `/auth/login?${query.toString()}`, label: tenant.name };
  }

  /** Ends the console session (a sign-in ends at /auth/logout). */
  @Delete('session')
  @HttpCode(204)
  async end(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    const { console } = await this.browsers.sessions(request);
    if (console) {
      if (!this.csrf.matches(request.headers[CSRF_HEADER], 'console', console.session.id)) throw new CsrfError();
      await this.consoles.end(request.cookies[this.cookies.console]);
    }
    void reply.clearCookie(this.cookies.console, this.cookies.options('console')).header('cache-control', 'no-store');
  }
}
