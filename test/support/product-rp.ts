import * as oidc from 'openid-client';
import type { AdminResponse } from './admin-requests';
import type { BrowserResponse, HttpBrowser } from './http-browser';

/** A product registered at the gateway, as the admin API returned it. */
export interface RegisteredProduct {
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly redirectUri: string;
  readonly config: oidc.Configuration;
}

/** A product's sign-in in progress: the URL it sent the browser to, and what it kept to finish. */
export interface ProductSignInStart {
  readonly url: string;
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
}

/**
 * Registers a product at the gateway and discovers the gateway as any
 * openid-client RP would (plain http on loopback only).
 */
export async function registerProduct(
  admin: { post(url: string, body?: unknown): Promise<AdminResponse> },
  publicUrl: string,
  body: Record<string, unknown>,
): Promise<RegisteredProduct> {
  const redirectUri = (body.redirectUris as string[] | undefined)?.[0] ?? 'http://127.0.0.1:9/unused';
  const created = await admin.post('/admin/v1/clients', { redirectUris: [redirectUri], ...body });
  if (created.status !== 201) throw new Error(`client: ${created.status} ${JSON.stringify(created.body)}`);
  const { clientId, clientSecret } = created.body as { clientId: string; clientSecret?: string };
  return { clientId, clientSecret, redirectUri, config: await discoverAs(publicUrl, clientId, clientSecret) };
}

/** The gateway's discovery, as the product with this id (and secret, for a confidential one). */
export function discoverAs(publicUrl: string, clientId: string, clientSecret?: string): Promise<oidc.Configuration> {
  return oidc.discovery(
    new URL(publicUrl),
    clientId,
    clientSecret === undefined ? { token_endpoint_auth_method: 'none' } : clientSecret,
    clientSecret === undefined ? oidc.None() : oidc.ClientSecretBasic(clientSecret),
    { execute: [oidc.allowInsecureRequests] },
  );
}

/** The authorization request of a product: code flow with PKCE (S256), state and nonce. */
export async function startProductSignIn(
  product: RegisteredProduct,
  params: Record<string, string> = {},
): Promise<ProductSignInStart> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(product.config, {
    redirect_uri: product.redirectUri,
    scope: 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  return { url: url.href, state, nonce, verifier };
}

/** Follows the browser from the product's authorization request until it comes back to the product's redirect URI. */
export function followToProduct(browser: HttpBrowser, response: BrowserResponse, product: RegisteredProduct) {
  return browser.follow(response, { stopAt: (url) => url.href.startsWith(product.redirectUri) });
}

/** The product's side of the callback: checks state, PKCE and the ID token, and redeems the code. */
export function finishProductSignIn(
  product: RegisteredProduct,
  start: ProductSignInStart,
  callbackUrl: string,
): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers> {
  return oidc.authorizationCodeGrant(product.config, new URL(callbackUrl), {
    pkceCodeVerifier: start.verifier,
    expectedState: start.state,
    expectedNonce: start.nonce,
    idTokenExpected: true,
  });
}
