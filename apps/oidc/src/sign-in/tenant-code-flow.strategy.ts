import type { Request } from 'express';
import * as oidc from 'openid-client';
import type { SignInRequest } from './sign-in-request';
import { Strategy, type AuthenticateOptions, type StrategyOptions, type VerifyFunction } from 'openid-client/passport';

/**
 * openid-client's passport strategy for one tenant's IdP, asking for `state`
 * and `nonce` on every request. Its own default sends only PKCE to providers
 * that advertise it; the gateway wants all three: PKCE binds the code to this
 * browser's attempt, `state` rejects forged callbacks, `nonce` binds the ID token.
 */
export class TenantCodeFlowStrategy extends Strategy {
  constructor(options: StrategyOptions & { callbackURL: string }, verify: VerifyFunction) {
    super(options, verify);
    this.publicOrigin = new URL(options.callbackURL).origin;
  }

  private readonly publicOrigin: string;

  /**
   * The URL the request was made to, on PUBLIC_URL's origin: the default reads
   * the Host header, which behind a proxy (or from a client) is not ours to trust.
   */
  override currentUrl(req: Request): URL {
    return new URL(req.url, this.publicOrigin);
  }

  /**
   * Whether to start (login) or complete (callback): the route says, not the
   * query string; by default a `/auth/login?code=x` would be taken for a callback
   * and a callback without `code` would start a new sign-in.
   */
  override shouldInitiateAuthRequest(req: Request): boolean {
    return (req as unknown as SignInRequest).signIn?.step === 'start';
  }

  override authorizationRequestParams<TOptions extends AuthenticateOptions>(
    req: Request,
    options: TOptions,
  ): URLSearchParams {
    const params = new URLSearchParams(super.authorizationRequestParams(req, options));
    params.set('state', oidc.randomState());
    params.set('nonce', oidc.randomNonce());
    return params;
  }
}
