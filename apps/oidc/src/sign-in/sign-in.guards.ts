import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { AuthGuard, type AuthGuardAuthenticateOptions } from '@nestjs/passport';
import { isUnreachable } from '@app/identity/oidc-connections/provider-errors';
import { RateLimits, retryAfterSecondsOf } from '@app/platform';
import type { FastifyReply } from 'fastify';
import { AuthorizationResponseError, ResponseBodyError } from 'openid-client';
import { AUTH_COOKIES } from './auth-cookies.provider';
import type { AuthCookies } from './cookies';
import { SignInError } from './sign-in-error';
import { SignInFlow } from './sign-in-flow.service';
import { callbackState, type SignInRequest } from './sign-in-request';
import { SIGN_IN_STRATEGY } from './tenant-dispatch.strategy';

type LoginQuery = Partial<Record<'tenant' | 'login_hint' | 'return_to' | 'test', unknown>>;

/**
 * Starts a sign-in: resolves the tenant, then lets the strategy build the
 * authorization request. Each start keeps state in Redis until its callback,
 * for anyone who asks: starts are limited per client address, and in all
 * (which caps the pending state), before anything is looked up or stored.
 */
@Injectable()
export class SignInStartGuard extends AuthGuard(SIGN_IN_STRATEGY) {
  constructor(
    private readonly flow: SignInFlow,
    private readonly limits: RateLimits,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<SignInRequest>();
    const query = request.query as LoginQuery;
    const start = {
      tenant: text(query.tenant),
      loginHint: text(query.login_hint),
      returnTo: text(query.return_to),
      host: request.headers.host,
      test: text(query.test),
    };
    request.canonicalLogin = this.flow.canonicalLogin(start);
    if (request.canonicalLogin) return true;
    await this.admit(request, context.switchToHttp().getResponse<FastifyReply>());
    await this.flow.prepareStart(request, start);
    return (await super.canActivate(context)) as boolean;
  }

  private async admit(request: SignInRequest, reply: FastifyReply): Promise<void> {
    const verdict = await this.limits.signInStart(request);
    if (verdict.allowed) return;
    void reply.header('retry-after', String(retryAfterSecondsOf(verdict.retryAfterMs)));
    throw verdict.limit === 'pending'
      ? new SignInError(503, 'Sign-in is busy', 'Too many sign-ins are under way. Please try again in a few minutes.')
      : new SignInError(
          429,
          'Too many sign-in attempts',
          'Too many sign-ins were started from your network. Please wait a minute and try again.',
        );
  }

  override getAuthenticateOptions(context: ExecutionContext): AuthGuardAuthenticateOptions {
    const loginHint = text((context.switchToHttp().getRequest<SignInRequest>().query as LoginQuery).login_hint);
    return { session: false, ...(loginHint ? { loginHint } : {}) };
  }
}

/**
 * Completes a sign-in: finds the attempt this browser started, then lets the
 * strategy (openid-client) check the response, redeem the code with the PKCE
 * verifier and validate the ID token (issuer, audience, signature, expiry, nonce).
 */
@Injectable()
export class SignInCallbackGuard extends AuthGuard(SIGN_IN_STRATEGY) {
  constructor(
    private readonly flow: SignInFlow,
    @Inject(AUTH_COOKIES) private readonly cookies: AuthCookies,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<SignInRequest>();
    try {
      await this.flow.prepareCallback(request, request.cookies[this.cookies.attempt(callbackState(request))]);
      return (await super.canActivate(context)) as boolean;
    } catch (error) {
      // A test sign-in's failure is its result: the controller shows it on the test's page.
      if (!request.testSignIn) throw error;
      request.testSignInError = error;
      return true;
    }
  }

  override getAuthenticateOptions(): AuthGuardAuthenticateOptions {
    return { session: false };
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false, info: unknown): TUser {
    if (error) throw callbackError(error);
    if (!user) {
      const message = (info as { message?: string } | undefined)?.message;
      throw SignInError.badRequest(`Your identity provider did not sign you in${message ? `: ${message}` : '.'}`);
    }
    return user;
  }
}

/** What went wrong at the callback, in words for the person; the details go to the log. */
function callbackError(error: unknown): SignInError {
  if (error instanceof SignInError) return error;
  if (error instanceof AuthorizationResponseError) {
    return SignInError.badRequest(`Your identity provider refused the sign-in (${error.error}).`, error);
  }
  if (error instanceof ResponseBodyError) {
    // invalid_grant: a code used twice, expired, or issued for another verifier.
    return SignInError.badRequest(`Your identity provider did not accept the sign-in (${error.error}).`, error);
  }
  if (isUnreachable(error)) {
    return SignInError.providerUnavailable('Your identity provider could not be reached. Please try again.', error);
  }
  return SignInError.badRequest('The response from your identity provider could not be verified.', error);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
