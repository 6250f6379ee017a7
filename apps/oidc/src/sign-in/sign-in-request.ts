import type { OidcConnection } from '@app/identity/oidc-connections/oidc-connection';
import type { FastifyRequest } from 'fastify';
import type { AuthorizationChecks, SignInAttempt } from './sign-in-attempts';
import type { TenantClient } from './oidc-clients';
import type { TestSignInStart } from './test-sign-ins';

/** Names openid-client's strategy keeps its checks under in `req.session`. */
export const CHECKS_KEY = 'oidc';

/**
 * A request on its way through sign-in. passport's strategies speak Express:
 * they read `req.session` and answer through `redirect()`; the guard gives
 * them a per-request `session` holding only the authorization checks, and the
 * redirect comes back here for the controller to send.
 */
export interface SignInRequest extends FastifyRequest {
  signIn?: {
    /** Which half of the flow the route is: the strategy must not guess it from the query string. */
    readonly step: 'start' | 'callback';
    readonly client: TenantClient;
    /** The tenant's connection as it was read for this request, secret opened. */
    readonly connection: OidcConnection;
    /** The attempt being started (login) or completed (callback). */
    readonly attempt: Omit<SignInAttempt, 'checks'>;
    /** Where the IdP's authorization endpoint is, once the strategy built the URL. */
    authorizationUrl?: string;
  };
  session?: Record<string, AuthorizationChecks | undefined>;
  /** The same login on PUBLIC_URL, for one that arrived on a tenant's subdomain. */
  canonicalLogin?: string;
  /** A test sign-in (setup portal) this request starts or completes: no user, no session. */
  testSignIn?: TestSignInStart;
  /** Why a test sign-in's callback failed; the controller shows it on the test's page. */
  testSignInError?: unknown;
  /** What the strategy authenticated: the token endpoint response, at the callback. */
  user?: unknown;
}

/** The `state` a callback carries ('' when none: no attempt cookie matches it, and the callback is refused). */
export function callbackState(request: FastifyRequest): string {
  const state = (request.query as { state?: unknown }).state;
  return typeof state === 'string' ? state : '';
}
