import { Controller, Get, Inject, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type * as oidc from 'openid-client';
import { SessionStore } from '../sessions/session-store';
import { AUTH_COOKIES } from './auth-cookies.provider';
import type { AuthCookies } from './cookies';
import { SIGN_IN_ATTEMPT_TTL_MS } from './sign-in-attempts';
import { SignInExceptionFilter } from './sign-in-exception.filter';
import { SignInFlow } from './sign-in-flow.service';
import { SignInCallbackGuard, SignInStartGuard } from './sign-in.guards';
import { SignInMetrics } from './sign-in.metrics';
import { TEST_SIGN_IN_PAGE_HEADERS, TEST_SIGN_IN_SCRIPT, testSignInPage } from './test-sign-in-page';
import { callbackState, type SignInRequest } from './sign-in-request';

/** `GET /auth/login` and `GET /auth/callback`: the browser's way through the tenant's IdP. */
@Controller('auth')
@UseFilters(SignInExceptionFilter)
export class SignInController {
  constructor(
    private readonly flow: SignInFlow,
    private readonly sessions: SessionStore,
    private readonly metrics: SignInMetrics,
    @Inject(AUTH_COOKIES) private readonly cookies: AuthCookies,
  ) {}

  /** 302 to the tenant's IdP with state, nonce and PKCE; the attempt stays here, named by a cookie. */
  @Get('login')
  @UseGuards(SignInStartGuard)
  async login(@Req() request: SignInRequest, @Res() reply: FastifyReply): Promise<void> {
    if (request.canonicalLogin) return reply.redirect(request.canonicalLogin, 302);
    const { state, attemptToken, authorizationUrl } = await this.flow.begin(request);
    await reply
      .setCookie(this.cookies.attempt(state), attemptToken, this.cookies.options(SIGN_IN_ATTEMPT_TTL_MS))
      .header('cache-control', 'no-store')
      .redirect(authorizationUrl, 302);
  }

  /** On success a session cookie and 302 to `return_to`; on failure an error page, and no session. */
  @Get('callback')
  @UseGuards(SignInCallbackGuard)
  async callback(@Req() request: SignInRequest, @Res() reply: FastifyReply): Promise<void> {
    const tokens = request.user as oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
    if (request.testSignIn) return this.testResult(request, tokens, reply);
    const { sessionToken, returnTo } = await this.flow.complete(request, tokens, request.cookies[this.cookies.session]);
    this.metrics.signIn('signed_in');
    await reply
      .clearCookie(this.cookies.attempt(callbackState(request)), this.cookies.options())
      .setCookie(this.cookies.session, sessionToken, this.cookies.options(this.sessions.policy.absoluteMs))
      .header('cache-control', 'no-store')
      .redirect(returnTo, 302);
  }

  /** The end of a test sign-in (setup portal): a page with the claims received, or why it failed. No session. */
  private async testResult(
    request: SignInRequest,
    tokens: (oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers) | undefined,
    reply: FastifyReply,
  ): Promise<void> {
    const { id, claims, error } = await this.flow.completeTest(request, tokens);
    const result =
      error === undefined ? { status: 'succeeded' as const, claims } : { status: 'failed' as const, error };
    await reply
      .clearCookie(this.cookies.attempt(callbackState(request)), this.cookies.options())
      .status(error === undefined ? 200 : 400)
      .headers(TEST_SIGN_IN_PAGE_HEADERS)
      .send(testSignInPage(id, result));
  }

  /** The test result page's only script (its CSP allows no inline script). */
  @Get('test-sign-in.js')
  script(@Res() reply: FastifyReply): void {
    void reply
      .header('content-type', 'text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .header('x-content-type-options', 'nosniff')
      .send(TEST_SIGN_IN_SCRIPT);
  }
}
