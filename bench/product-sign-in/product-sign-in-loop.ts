import { performance } from 'node:perf_hooks';
import * as oidc from 'openid-client';
import { HttpBrowser } from '../../test/support/http-browser';

/** A product registered at the gateway, as the benchmark drives it. */
export interface BenchProduct {
  readonly config: oidc.Configuration;
  readonly redirectUri: string;
  readonly organization: string;
  readonly logins: readonly string[];
}

/** What a run of product sign-ins gave. */
export interface ProductSignInRun {
  readonly clients: number;
  readonly seconds: number;
  readonly completed: number;
  readonly failed: number;
  /** Milliseconds of each whole sign-in: product → gateway → IdP form → gateway → product, code redeemed. */
  readonly signInMs: number[];
  /** Milliseconds of each `POST /oidc/token` code exchange, ID token checked (openid-client's authorizationCodeGrant). */
  readonly exchangeMs: number[];
  readonly firstError?: string;
}

/** One sign-in to the product from an empty cookie jar: its ID token's `sub` and `sid`. */
export interface ProductSignIn {
  readonly sub: string;
  readonly sid: string;
  readonly exchangeMs: number;
  readonly totalMs: number;
}

/**
 * `clients` browsers, each signing in to the product over and over for `seconds`, every time
 * from an empty cookie jar: the whole chain, the tenant's IdP included, as a new browser meets it.
 */
export async function runProductSignIns(
  product: BenchProduct,
  clients: number,
  seconds: number,
): Promise<ProductSignInRun> {
  const deadline = performance.now() + seconds * 1000;
  const signInMs: number[] = [];
  const exchangeMs: number[] = [];
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const browser = new HttpBrowser();
      while (performance.now() < deadline) {
        browser.cookies.clear();
        try {
          const signIn = await productSignIn(browser, product, product.logins[next++ % product.logins.length]);
          signInMs.push(signIn.totalMs);
          exchangeMs.push(signIn.exchangeMs);
        } catch (error) {
          failed++;
          firstError ??= (error as Error).message;
        }
      }
    }),
  );
  return {
    clients,
    seconds: (performance.now() - started) / 1000,
    completed: signInMs.length,
    failed,
    signInMs,
    exchangeMs,
    firstError,
  };
}

/** Signs `login` in to the product in `browser`, through the gateway and the tenant's IdP. */
export async function productSignIn(
  browser: HttpBrowser,
  product: BenchProduct,
  login: string,
): Promise<ProductSignIn> {
  const start = performance.now();
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
    organization: product.organization,
  });
  const atProduct = (next: URL) => next.href.startsWith(product.redirectUri);
  const loginPage = await browser.open(url, { stopAt: atProduct });
  if (loginPage.status !== 200) throw new Error(`no login form: ${loginPage.status} ${loginPage.body.slice(0, 300)}`);
  const back = await browser.follow(await browser.submitLoginForm(loginPage, login), { stopAt: atProduct });
  if (!back.location || !atProduct(new URL(back.location))) {
    throw new Error(`not back at the product: ${back.status} ${back.body.slice(0, 300)}`);
  }
  const before = performance.now();
  const tokens = await oidc.authorizationCodeGrant(product.config, new URL(back.location), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  const exchangeMs = performance.now() - before;
  const claims = tokens.claims()!;
  const sid = typeof claims.sid === 'string' ? claims.sid : '';
  return { sub: claims.sub, sid, exchangeMs, totalMs: performance.now() - start };
}
