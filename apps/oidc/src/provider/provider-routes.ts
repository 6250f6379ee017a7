/**
 * Where the OpenID Provider's endpoints live: all under `/oidc`, so none meets
 * today's `/auth/*`; discovery stays at the issuer's well-known path, and the
 * keys are the ones `/.well-known/jwks.json` already publishes.
 */
export const PROVIDER_ROUTES = {
  authorization: '/oidc/authorize',
  token: '/oidc/token',
  userinfo: '/oidc/userinfo',
  end_session: '/oidc/logout',
  revocation: '/oidc/token/revocation',
  introspection: '/oidc/token/introspection',
  jwks: '/.well-known/jwks.json',
  registration: '/oidc/register',
  pushed_authorization_request: '/oidc/par',
  backchannel_authentication: '/oidc/backchannel',
  device_authorization: '/oidc/device/auth',
  code_verification: '/oidc/device',
  challenge: '/oidc/challenge',
  credential: '/oidc/credential',
} as const;

/** Path prefix of every provider endpoint, and of the interaction pages the gateway serves itself. */
export const PROVIDER_PREFIX = '/oidc';

/** The interaction page of a sign-in in progress. */
export function interactionPath(uid: string): string {
  return `${PROVIDER_PREFIX}/interaction/${encodeURIComponent(uid)}`;
}

/** The audience of access tokens for the products API. */
export function productsApiAudience(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/api/v1`;
}

/** The products API's scopes, granted to clients with client_credentials. */
export const PRODUCTS_API_SCOPES = ['events:read', 'directory:read'] as const;

/** The OpenID scopes a product may ask for. */
export const PRODUCT_SIGN_IN_SCOPES = ['openid', 'offline_access', 'profile', 'email', 'groups'] as const;

/**
 * Whether a URL is one of the gateway's own interaction pages: where a
 * product's sign-in returns after the tenant's IdP. Exactly PUBLIC_URL's origin
 * and path, no query: it cannot send a browser anywhere else.
 */
export function isInteractionUrl(url: string, publicUrl: string): boolean {
  try {
    const parsed = new URL(url);
    return (
      parsed.origin === new URL(publicUrl).origin &&
      /^\/oidc\/interaction\/[A-Za-z0-9_-]{1,64}$/.test(parsed.pathname) &&
      parsed.search === '' &&
      parsed.hash === ''
    );
  } catch {
    return false;
  }
}
