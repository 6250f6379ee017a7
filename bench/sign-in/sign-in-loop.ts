import { performance } from 'node:perf_hooks';
import * as oidc from 'openid-client';
import { HttpBrowser, type BrowserResponse } from '../../test/support/http-browser';

/** Where the sign-ins go, and as whom. */
export interface SignInTarget {
  /** The gateway's PUBLIC_URL. */
  readonly publicUrl: string;
  readonly tenant: string;
  readonly returnTo: string;
  /** Logins (emails) known to the IdP; the clients take them in turn. */
  readonly logins: readonly string[];
}

/** What a run of full sign-ins gave. */
export interface SignInRun {
  readonly clients: number;
  readonly seconds: number;
  readonly completed: number;
  readonly failed: number;
  /** Milliseconds of each `GET /auth/callback`, from request to the 302 with the session cookie. */
  readonly callbackMs: number[];
  /** Milliseconds of each whole sign-in: login, the IdP's form, callback. */
  readonly signInMs: number[];
  /** A session token of each completed sign-in, for the session endpoints' load. */
  readonly sessionTokens: string[];
  readonly firstError?: string;
}

/**
 * `clients` browsers, each signing in over and over for `seconds`: `/auth/login` → the IdP's login form →
 * `/auth/callback`, timing the callback request on its own. Every sign-in starts from an empty cookie jar,
 * so the IdP asks for the login each time as it would for a new browser.
 */
export async function runSignIns(target: SignInTarget, clients: number, seconds: number): Promise<SignInRun> {
  const deadline = performance.now() + seconds * 1000;
  const run = { callbackMs: [] as number[], signInMs: [] as number[], sessionTokens: [] as string[] };
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const browser = new HttpBrowser();
      while (performance.now() < deadline) {
        const login = target.logins[next++ % target.logins.length];
        browser.cookies.clear();
        try {
          const signIn = await signInOnce(browser, target, login);
          run.callbackMs.push(signIn.callbackMs);
          run.signInMs.push(signIn.totalMs);
          run.sessionTokens.push(signIn.sessionToken);
        } catch (error) {
          failed++;
          firstError ??= (error as Error).message;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { clients, seconds: elapsed, completed: run.callbackMs.length, failed, firstError, ...run };
}

async function signInOnce(
  browser: HttpBrowser,
  target: SignInTarget,
  login: string,
): Promise<{ callbackMs: number; totalMs: number; sessionToken: string }> {
  const start = performance.now();
  const query = new URLSearchParams({ tenant: target.tenant, return_to: target.returnTo });
  const callback = await toCallback(browser, `${target.publicUrl}/auth/login?${query.toString()}`, login);
  const before = performance.now();
  const landed = await browser.get(callback);
  const callbackMs = performance.now() - before;
  const sessionToken = browser.cookies.get(target.publicUrl, 'gw_session');
  if (landed.status !== 302 || landed.location !== target.returnTo || !sessionToken) {
    throw new Error(`callback answered ${landed.status} → ${landed.location ?? '-'}: ${landed.body.slice(0, 300)}`);
  }
  return { callbackMs, totalMs: performance.now() - start, sessionToken };
}

/** From a URL that leads to the IdP, through its login form, up to (not into) the redirect back with a code. */
async function toCallback(browser: HttpBrowser, url: string, login: string): Promise<string> {
  const isCallback = (next: URL) => next.pathname === '/auth/callback';
  const loginPage = await browser.open(url, { stopAt: isCallback });
  if (loginPage.status !== 200) throw new Error(`no login form: ${loginPage.status} ${loginPage.body.slice(0, 300)}`);
  const back: BrowserResponse = await browser.follow(await browser.submitLoginForm(loginPage, login), {
    stopAt: isCallback,
  });
  if (!back.location || !isCallback(new URL(back.location))) {
    throw new Error(`the IdP did not send the browser back: ${back.status} ${back.body.slice(0, 300)}`);
  }
  return back.location;
}

/** The IdP's side of a sign-in as openid-client sees it from here, without the gateway. */
export interface ExchangeRun {
  readonly completed: number;
  /** `authorizationCodeGrant`: the token request plus checking the ID token. */
  readonly exchangeMs: number[];
  /** `fetchUserInfo`, which the gateway calls after it for Okta's thin ID token. */
  readonly userinfoMs: number[];
}

/**
 * The code exchange alone: the same client, provider and redirect URI as the gateway's, driven by
 * openid-client in this process. The browser stops at the redirect back, and the code is redeemed here.
 */
export async function runExchanges(
  settings: { issuer: string; clientId: string; clientSecret: string; redirectUri: string; scope: string },
  logins: readonly string[],
  count: number,
): Promise<ExchangeRun> {
  const configuration = await oidc.discovery(
    new URL(settings.issuer),
    settings.clientId,
    settings.clientSecret,
    undefined,
    { execute: [oidc.allowInsecureRequests] },
  );
  const run = { exchangeMs: [] as number[], userinfoMs: [] as number[] };
  const browser = new HttpBrowser();
  for (let i = 0; i < count; i++) {
    browser.cookies.clear();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const authorizationUrl = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: settings.redirectUri,
      scope: settings.scope,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const callback = await toCallback(browser, authorizationUrl.href, logins[i % logins.length]);
    const before = performance.now();
    const tokens = await oidc.authorizationCodeGrant(configuration, new URL(callback), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const exchanged = performance.now();
    await oidc.fetchUserInfo(configuration, tokens.access_token, tokens.claims()?.sub ?? oidc.skipSubjectCheck);
    run.exchangeMs.push(exchanged - before);
    run.userinfoMs.push(performance.now() - exchanged);
  }
  return { completed: run.exchangeMs.length, ...run };
}
