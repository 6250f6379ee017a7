import * as client from 'openid-client';
import { CookieJar, HttpBrowser, parseForm } from '../support/http-browser';
import { TestIdp, TestIdpAccount, startTestIdp } from '../support/test-idp';

// The harness on its own: openid-client plays the relying party against the test IdP,
// through the cookie-keeping browser, before the gateway relies on either.

const REDIRECT_URI = 'http://127.0.0.1:1/auth/callback';
const POST_LOGOUT_URI = 'http://127.0.0.1:1/signed-out';
const SCOPE = 'openid profile email groups';

const ada: TestIdpAccount = {
  sub: '00u1ada',
  email: 'ada@example.com',
  email_verified: true,
  name: 'Ada Lovelace',
  given_name: 'Ada',
  family_name: 'Lovelace',
  preferred_username: 'ada@example.com',
  groups: ['Engineering', 'Everyone'],
};

const gateway = {
  client_id: 'gateway',
  client_secret: 'gateway-secret',
  redirect_uris: [REDIRECT_URI],
  post_logout_redirect_uris: [POST_LOGOUT_URI],
};

const atRelyingParty = (url: URL) => url.origin === 'http://127.0.0.1:1';

function discover(idp: TestIdp, clientId = gateway.client_id, secret = gateway.client_secret) {
  return client.discovery(new URL(idp.issuer), clientId, secret, client.ClientSecretBasic(secret), {
    execute: [client.allowInsecureRequests],
  });
}

/** Runs the code flow through the login form; returns the redirect back to the relying party. */
async function signIn(config: client.Configuration, browser: HttpBrowser, login: string) {
  const verifier = client.randomPKCECodeVerifier();
  const checks = {
    pkceCodeVerifier: verifier,
    expectedState: client.randomState(),
    expectedNonce: client.randomNonce(),
  };
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: SCOPE,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state: checks.expectedState,
    nonce: checks.expectedNonce,
  });
  const loginPage = await browser.open(authorizationUrl);
  const back = await browser.follow(await browser.submitLoginForm(loginPage, login), { stopAt: atRelyingParty });
  return { loginPage, back, callbackUrl: new URL(back.location!), checks };
}

describe('test IdP', () => {
  describe.each([
    ['org authorization server', undefined],
    ['custom authorization server', '/oauth2/default'],
  ])('as an Okta %s', (_name, path) => {
    let idp: TestIdp;
    let config: client.Configuration;

    beforeAll(async () => {
      idp = await startTestIdp({ path, clients: [gateway], accounts: [ada] });
      config = await discover(idp);
    });
    afterAll(() => idp.close());

    it('publishes discovery for its issuer', () => {
      const metadata = config.serverMetadata();
      expect(metadata.issuer).toBe(idp.issuer);
      expect(metadata.authorization_endpoint).toBe(`${idp.issuer}/auth`);
      expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
      expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'groups']));
      expect(metadata.end_session_endpoint).toBeDefined();
    });

    it('signs in through the login form with a thin ID token and full userinfo', async () => {
      const browser = new HttpBrowser();
      const { loginPage, callbackUrl, checks } = await signIn(config, browser, ada.email);

      expect(loginPage.status).toBe(200);
      expect(loginPage.url).toMatch(new RegExp(`^${idp.origin}/interaction/`));
      expect(loginPage.body).toContain('id="sign-in"');
      expect(callbackUrl.searchParams.get('code')).toBeTruthy();
      expect(callbackUrl.searchParams.get('iss')).toBe(idp.issuer);

      const tokens = await client.authorizationCodeGrant(config, callbackUrl, checks);
      const idToken = tokens.claims()!;
      expect(idToken).toMatchObject({
        iss: idp.issuer,
        sub: ada.sub,
        aud: gateway.client_id,
        nonce: checks.expectedNonce,
      });
      for (const claim of ['email', 'name', 'groups', 'preferred_username']) expect(idToken).not.toHaveProperty(claim);

      const userInfo = await client.fetchUserInfo(config, tokens.access_token, ada.sub);
      expect(userInfo).toEqual({ ...ada });
      expect(idp.tokenRequests()).toHaveLength(1);
    });

    it('rejects a replayed authorization code', async () => {
      const { callbackUrl, checks } = await signIn(config, new HttpBrowser(), ada.sub);
      const before = idp.tokenRequests().length;
      await client.authorizationCodeGrant(config, callbackUrl, checks);

      await expect(client.authorizationCodeGrant(config, callbackUrl, checks)).rejects.toMatchObject({
        error: 'invalid_grant',
      });
      expect(
        idp
          .tokenRequests()
          .slice(before)
          .map((r) => r.status),
      ).toEqual([200, 400]);
      expect(idp.errors.at(-1)).toMatchObject({ event: 'grant.error', error: 'invalid_grant' });
    });

    it('ends the session and returns to the post-logout redirect URI', async () => {
      const browser = new HttpBrowser();
      const { callbackUrl, checks } = await signIn(config, browser, ada.email);
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, checks);

      const endSessionUrl = client.buildEndSessionUrl(config, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: POST_LOGOUT_URI,
        state: 'bye',
      });
      const confirmation = await browser.open(endSessionUrl);
      expect(confirmation.body).toContain('id="sign-out"');
      const back = await browser.follow(await browser.submitForm(confirmation), { stopAt: atRelyingParty });
      expect(back.location).toBe(`${POST_LOGOUT_URI}?state=bye`);

      // The IdP session is gone: the next authorization request shows the login form again.
      const again = await browser.open(client.buildAuthorizationUrl(config, authorizationParameters()));
      expect(again.body).toContain('name="login"');
    });
  });

  describe('accounts, clients and failures', () => {
    let idp: TestIdp;

    beforeAll(async () => {
      idp = await startTestIdp({ accounts: [ada] });
    });
    afterAll(() => idp.close());

    it('accepts a client registered after start', async () => {
      idp.registerClient({ ...gateway, client_id: 'late', client_secret: 'late-secret' });
      const config = await discover(idp, 'late', 'late-secret');
      const { callbackUrl, checks } = await signIn(config, new HttpBrowser(), ada.email);
      await expect(client.authorizationCodeGrant(config, callbackUrl, checks)).resolves.toHaveProperty('id_token');
    });

    it('re-renders the login form for an unknown login', async () => {
      idp.registerClient(gateway);
      const config = await discover(idp);
      const browser = new HttpBrowser();
      const loginPage = await browser.open(client.buildAuthorizationUrl(config, authorizationParameters()));
      const answer = await browser.submitLoginForm(loginPage, 'nobody@example.com');
      expect(answer.status).toBe(200);
      expect(answer.body).toContain('id="login-error"');
    });

    it('serves changed claims from userinfo', async () => {
      idp.registerClient(gateway);
      idp.addAccount({ sub: '00u2bob', email: 'bob@example.com', name: 'Bob', groups: [] });
      idp.setClaims('00u2bob', { name: 'Robert', groups: ['Admins'] });
      const config = await discover(idp);
      const { callbackUrl, checks } = await signIn(config, new HttpBrowser(), 'bob@example.com');
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, checks);
      const userInfo = await client.fetchUserInfo(config, tokens.access_token, '00u2bob');
      expect(userInfo).toMatchObject({ name: 'Robert', groups: ['Admins'], email_verified: true });
    });

    it('fails discovery at its broken issuer', async () => {
      await expect(
        client.discovery(new URL(idp.brokenIssuer), 'gateway', 'secret', undefined, {
          execute: [client.allowInsecureRequests],
        }),
      ).rejects.toThrow();
      expect(idp.requests.at(-1)).toMatchObject({ path: '/nope/.well-known/openid-configuration', status: 404 });
    });
  });
});

describe('CookieJar', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('keeps cookies per origin, host and port', () => {
    const jar = new CookieJar();
    jar.store('http://127.0.0.1:4000/a', ['sid=one; Path=/; HttpOnly; SameSite=Lax'], now);
    expect(jar.header('http://127.0.0.1:4000/anything', now)).toBe('sid=one');
    expect(jar.header('http://127.0.0.1:4001/anything', now)).toBeUndefined();
    expect(jar.cookies('http://127.0.0.1:4000/', now)[0]).toMatchObject({ httpOnly: true, sameSite: 'lax' });
  });

  it('sends a cookie only under its path, longest path first', () => {
    const jar = new CookieJar();
    jar.store('http://127.0.0.1:4000/', ['a=root; Path=/', 'b=deep; Path=/interaction/x1'], now);
    expect(jar.header('http://127.0.0.1:4000/interaction/x1/login', now)).toBe('b=deep; a=root');
    expect(jar.header('http://127.0.0.1:4000/interaction/x10', now)).toBe('a=root');
  });

  it('defaults the path to the directory of the request', () => {
    const jar = new CookieJar();
    jar.store('http://127.0.0.1:4000/auth/callback', ['t=1'], now);
    expect(jar.header('http://127.0.0.1:4000/auth/me', now)).toBe('t=1');
    expect(jar.header('http://127.0.0.1:4000/other', now)).toBeUndefined();
  });

  it.each([
    ['Max-Age=0', 'sid=; Path=/; Max-Age=0'],
    ['an Expires in the past', 'sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT'],
  ])('deletes a cookie set again with %s', (_name, deletion) => {
    const jar = new CookieJar();
    jar.store('http://127.0.0.1:4000/', ['sid=one; Path=/'], now);
    jar.store('http://127.0.0.1:4000/', [deletion], now);
    expect(jar.header('http://127.0.0.1:4000/', now)).toBeUndefined();
  });

  it('expires a cookie after its Max-Age, which wins over Expires', () => {
    const jar = new CookieJar();
    jar.store('http://127.0.0.1:4000/', ['sid=one; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60'], now);
    expect(jar.get('http://127.0.0.1:4000/', 'sid', now + 59_000)).toBe('one');
    expect(jar.get('http://127.0.0.1:4000/', 'sid', now + 60_000)).toBeUndefined();
  });

  it('keeps Secure cookies on http loopback and replaces a cookie of the same name and path', () => {
    const jar = new CookieJar();
    jar.store('http://127.0.0.1:4000/', ['sid=one; Path=/; Secure'], now);
    jar.store('http://127.0.0.1:4000/', ['sid=two; Path=/; Secure'], now);
    expect(jar.header('http://127.0.0.1:4000/', now)).toBe('sid=two');
  });
});

describe('parseForm', () => {
  it('resolves the action and keeps hidden fields', () => {
    const html =
      '<form id="f" method="post" action="/session/end/confirm?a=1&amp;b=2"><input type="hidden" name="xsrf" value="x&quot;y"/>' +
      '<input name="login" type="text"><input type="submit" name="go" value="Go"></form>';
    expect(parseForm(html, 'http://127.0.0.1:4000/session/end')).toEqual({
      action: 'http://127.0.0.1:4000/session/end/confirm?a=1&b=2',
      method: 'POST',
      fields: { xsrf: 'x"y', login: '' },
    });
  });

  it('finds no form in a page without one', () => {
    expect(parseForm('<p>hi</p>', 'http://127.0.0.1/')).toBeUndefined();
  });
});

function authorizationParameters(): Record<string, string> {
  return {
    redirect_uri: REDIRECT_URI,
    scope: SCOPE,
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    state: client.randomState(),
  };
}
