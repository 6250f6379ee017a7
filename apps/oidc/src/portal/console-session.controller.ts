import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res, UnauthorizedException } from '@nestjs/common';
import { APP_CONFIG, RateLimits, ResolvedConfig, tooManyRequests } from '@app/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ZodValidationPipe } from '../admin/zod-validation.pipe';
import { BROWSER_COOKIES, BrowserCookies } from './browser-cookies';
import { BrowserSessionsResolver } from './browser-sessions.resolver';
import { ConsoleAccess, ConsoleSessionBody } from './console-access.service';
import { ConsoleSessions } from './console-sessions';
import { CSRF_HEADER, CsrfError, CsrfTokens } from './csrf-tokens';

/** `GET /console/api/sign-in` */
export interface ConsoleSignInBody {
  signInUrl: string | null;
}

const startConsoleSessionInput = z.strictObject({
  adminToken: z.string({ error: 'must be the admin token' }).min(1, 'must be the admin token').max(1000),
});

/** `/console/api`: the operator console's session (see ConsoleAccess). */
@Controller('console/api')
export class ConsoleSessionController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    @Inject(BROWSER_COOKIES) private readonly cookies: BrowserCookies,
    private readonly access: ConsoleAccess,
    private readonly consoles: ConsoleSessions,
    private readonly browsers: BrowserSessionsResolver,
    private readonly csrf: CsrfTokens,
    private readonly limits: RateLimits,
  ) {}

  /** Where an operator signs in through the gateway; null when only the admin token opens the console. */
  @Get('sign-in')
  async signIn(): Promise<ConsoleSignInBody> {
    return { signInUrl: (await this.access.signInOffer())?.url ?? null };
  }

  /** Exchanges the admin token for a console session; a wrong token counts as a failed authentication. */
  @Post('session')
  async start(
    @Body(new ZodValidationPipe(startConsoleSessionInput)) input: z.output<typeof startConsoleSessionInput>,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConsoleSessionBody> {
    const started = await this.access.start(input.adminToken);
    if (!started) {
      const failures = await this.limits.failedAuthentication(request);
      if (!failures.allowed) {
        throw tooManyRequests(reply, failures, 'too many failed authentications from this address; retry later');
      }
      throw new UnauthorizedException('wrong admin token');
    }
    // The new session replaces the one the browser came with, if any (session fixation).
    await this.consoles.end(request.cookies[this.cookies.console]);
    void reply
      .setCookie(this.cookies.console, started.token, this.cookies.options('console', this.consoles.policy.absoluteMs))
      .header('cache-control', 'no-store');
    return started.body;
  }

  /**
   * The console's session, or 401 whose body also offers the operators' sign-in (`signIn: {url, label}`)
   * and, for a browser signed in as someone who is not an operator, names them and says why (`signedIn`).
   * That person, when of the operators' tenant already, is not offered the same sign-in again.
   */
  @Get('session')
  async current(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    void reply.header('cache-control', 'no-store');
    const sessions = await this.browsers.sessions(request);
    const session = this.access.describe(sessions);
    if (session) return reply.send(session);
    const refusal = await this.access.refusal(sessions);
    const offer = await this.access.signInOffer();
    const offered = offer && refusal?.signedIn.tenant.slug !== this.config.operatorsTenant ? offer : undefined;
    return reply
      .status(401)
      .header('www-authenticate', 'Bearer')
      .send({
        error: { code: 'unauthorized', message: refusal?.message ?? 'not signed in to the console' },
        ...(offered ? { signIn: offered } : {}),
        ...(refusal ? { signedIn: refusal.signedIn } : {}),
      });
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
