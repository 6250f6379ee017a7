import * as oidc from 'openid-client';
import { HttpBrowser, type BrowserResponse } from '../support/http-browser';
import {
  ProductSignInStart,
  RegisteredProduct,
  finishProductSignIn,
  followToProduct,
  registerProduct,
  startProductSignIn,
} from '../support/product-rp';
import { USER_SCHEMA } from '../support/scim-client';
import { SignInGateway, SignInTenant, startSignInGateway } from '../support/sign-in-gateway';
import { startTestIdp } from '../support/test-idp';

const PRODUCT = 'http://127.0.0.1:9';

describe('products sign in through the gateway (OpenID Provider)', () => {
  let gw: SignInGateway;
  let acme: SignInTenant;
  let wiki: RegisteredProduct;
  let billing: RegisteredProduct;
  let mobile: RegisteredProduct;
  let globexOnly: RegisteredProduct;

  beforeAll(async () => {
    gw = await startSignInGateway({
      accounts: [
        {
          sub: '00u-ada',
          email: 'ada@acme.example',
          name: 'Ada Lovelace',
          given_name: 'Ada',
          family_name: 'Lovelace',
          groups: ['Engineering'],
        },
        { sub: '00u-grace', email: 'grace@acme.example', name: 'Grace Hopper' },
        { sub: '00u-alan', email: 'alan@acme.example', name: 'Alan Turing' },
        { sub: '00u-dora', email: 'dora@acme.example', name: 'Dora' },
        { sub: '00u-fay', email: 'fay@acme.example', name: 'Fay' },
        { sub: '00u-hank', email: 'hank@acme.example', name: 'Hank' },
        { sub: '00u-iris', email: 'iris@acme.example', name: 'Iris' },
        { sub: '00u-jane', email: 'jane@acme.example', name: 'Jane' },
        { sub: '00u-kurt', email: 'kurt@acme.example', name: 'Kurt' },
      ],
    });
    acme = await gw.tenant('acme', { domains: ['acme.example'] });
    await gw.tenant('globex', { domains: ['globex.example'] });
    const product = (name: string, body: Record<string, unknown> = {}) =>
      registerProduct(gw.admin, gw.publicUrl, {
        name,
        redirectUris: [`${PRODUCT}/${name.toLowerCase()}/callback`],
        postLogoutRedirectUris: [`${PRODUCT}/${name.toLowerCase()}/signed-out`],
        ...body,
      });
    wiki = await product('Wiki');
    billing = await product('Billing');
    mobile = await product('Mobile', { public: true });
    globexOnly = await product('Globex', { tenants: ['globex'] });
  });
  afterAll(() => gw?.close());

  /** Signs in to a product in a fresh (or given) browser, through the IdP's login form. */
  async function signIn(
    product: RegisteredProduct,
    login: string,
    params: Record<string, string> = { organization: 'acme' },
    browser = new HttpBrowser(),
  ) {
    const start = await startProductSignIn(product, params);
    const done = await gw.signIn(browser, start.url, login);
    expect(done.location).toMatch(new RegExp(`^${product.redirectUri}\\?`));
    const tokens = await finishProductSignIn(product, start, done.location!);
    return { browser, start, tokens };
  }

  const sessionCookie = (browser: HttpBrowser) => browser.cookies.get(gw.publicUrl, 'gw_session');
  const me = async (browser: HttpBrowser) => {
    const response = await browser.get(`${gw.publicUrl}/auth/me`);
    return {
      status: response.status,
      email: response.status === 200 ? JSON.parse(response.body).user.email : undefined,
    };
  };
  const signedOutEvents = async (userId: string) =>
    (await gw.db.query(`SELECT 1 FROM outbox_events WHERE subject_id = $1 AND type = 'user.signed_out'`, [userId]))
      .length;
  const errorOf = (response: BrowserResponse) => Object.fromEntries(new URL(response.location!).searchParams);

  it('signs a user in to a product through the tenant IdP, with the claims the admin API shows', async () => {
    const { tokens, browser } = await signIn(wiki, 'ada@acme.example', {
      organization: 'acme',
      scope: 'openid profile email groups',
    });
    const claims = tokens.claims()!;
    const users = await gw.admin.get('/admin/v1/tenants/acme/users');
    const ada = (users.body.users as any[]).find((user) => user.userName === 'ada@acme.example');
    expect(claims).toMatchObject({
      iss: gw.publicUrl,
      aud: wiki.clientId,
      sub: ada.id,
      email: 'ada@acme.example',
      email_verified: true,
      name: 'Ada Lovelace',
      given_name: 'Ada',
      family_name: 'Lovelace',
      org: 'acme',
      org_id: acme.id,
      roles: ada.effectiveRoles ?? ada.roles,
      teams: ada.teams,
      groups: ['Engineering'],
    });
    expect(claims.sub).not.toBe('00u-ada');
    expect(sessionCookie(browser)).toBeDefined();

    const userinfo = await oidc.fetchUserInfo(wiki.config, tokens.access_token, claims.sub);
    expect(userinfo).toMatchObject({
      sub: ada.id,
      email: 'ada@acme.example',
      name: 'Ada Lovelace',
      given_name: 'Ada',
      family_name: 'Lovelace',
      org: 'acme',
      groups: ['Engineering'],
    });
  });

  it('leaves groups out without the groups scope, and follows role changes at the next token', async () => {
    const { tokens } = await signIn(wiki, 'grace@acme.example');
    const claims = tokens.claims()!;
    expect(claims).not.toHaveProperty('groups');
    expect(claims.roles).toEqual([]);
    expect((await gw.admin.put(`/admin/v1/tenants/acme/users/${claims.sub}/roles`, { roles: ['editor'] })).status).toBe(
      200,
    );
    const userinfo = await oidc.fetchUserInfo(wiki.config, tokens.access_token, claims.sub);
    expect(userinfo.roles).toEqual(['editor']);
  });

  it('signs the same browser in to a second product without a trip to the IdP (SSO)', async () => {
    const { browser, tokens: first } = await signIn(wiki, 'alan@acme.example');
    const idpLogins = gw.idp.tokenRequests().length;
    const start = await startProductSignIn(billing);
    const done = await followToProduct(browser, await browser.get(start.url), billing);
    expect(done.location).toMatch(new RegExp(`^${billing.redirectUri}\\?`));
    expect(done.chain.some((hop) => hop.url.startsWith(gw.idp.origin))).toBe(false);
    const second = await finishProductSignIn(billing, start, done.location!);
    expect(second.claims()!.sub).toBe(first.claims()!.sub);
    expect(second.claims()!.aud).toBe(billing.clientId);
    expect(gw.idp.tokenRequests().length).toBe(idpLogins);
  });

  it('asks for the work email when the product names no organization, then continues', async () => {
    const browser = new HttpBrowser();
    const start = await startProductSignIn(wiki);
    const page = await browser.open(start.url);
    expect(page.status).toBe(200);
    expect(page.body).toContain('name="email"');
    expect(page.body).toContain('Wiki');

    const unknown = await browser.follow(await browser.submitForm(page, { email: 'someone@nowhere.example' }));
    expect(unknown.status).toBe(200);
    expect(unknown.body).toContain('No organization signs in people with the address someone@nowhere.example');

    const login = await browser.follow(await browser.submitForm(page, { email: 'dora@acme.example' }));
    expect(login.url.startsWith(gw.idp.origin)).toBe(true);
    expect(login.body).toContain('value="dora@acme.example"');
    const done = await followToProduct(browser, await browser.submitLoginForm(login, 'dora@acme.example'), wiki);
    const tokens = await finishProductSignIn(wiki, start, done.location!);
    expect(tokens.claims()!.email).toBe('dora@acme.example');
  });

  it('sends a signed-in browser through the IdP again, once, for prompt=login and an exceeded max_age', async () => {
    const { browser, tokens: first } = await signIn(wiki, 'alan@acme.example');
    const cases: Record<string, string>[] = [{ prompt: 'login' }, { max_age: '0' }];
    const gatewaySession = async () =>
      JSON.parse((await browser.get(`${gw.publicUrl}/auth/me`)).body).session.id as string;
    let previous = await gatewaySession();
    for (const params of cases) {
      const idpLogins = gw.idp.tokenRequests().length;
      const start = await startProductSignIn(billing, params);
      // The IdP still has its own session, so it sends the browser straight back: no form, but a new sign-in.
      const done = await followToProduct(browser, await browser.get(start.url), billing);
      expect(done.location).toMatch(new RegExp(`^${billing.redirectUri}\\?code=`));
      expect(gw.idp.tokenRequests().length).toBe(idpLogins + 1);
      const tokens = await finishProductSignIn(billing, start, done.location!);
      expect(tokens.claims()!.sub).toBe(first.claims()!.sub);
      // A new gateway session: the sign-in happened again, and the next one will not loop.
      const current = await gatewaySession();
      expect(current).not.toBe(previous);
      previous = current;
    }
  });

  it('picks the tenant from login_hint', async () => {
    const { tokens } = await signIn(wiki, 'fay@acme.example', { login_hint: 'fay@acme.example' });
    expect(tokens.claims()!.org).toBe('acme');
  });

  it('rotates refresh tokens: each works once, and a replayed one is refused', async () => {
    const { tokens } = await signIn(wiki, 'grace@acme.example', {
      organization: 'acme',
      scope: 'openid email offline_access',
      prompt: 'consent',
    });
    expect(tokens.refresh_token).toBeDefined();
    const refreshed = await oidc.refreshTokenGrant(wiki.config, tokens.refresh_token!);
    expect(refreshed.refresh_token).toBeDefined();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()!.email).toBe('grace@acme.example');
    await expect(oidc.refreshTokenGrant(wiki.config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('lets a public client sign in with PKCE, and refuses one without it', async () => {
    const { tokens } = await signIn(mobile, 'grace@acme.example');
    expect(tokens.claims()!.aud).toBe(mobile.clientId);

    const browser = new HttpBrowser();
    const url = oidc.buildAuthorizationUrl(mobile.config, {
      redirect_uri: mobile.redirectUri,
      scope: 'openid',
      state: 'st',
      organization: 'acme',
    });
    const refused = await browser.get(url);
    expect(refused.status).toBe(303);
    expect(errorOf(refused)).toMatchObject({ error: 'invalid_request', state: 'st' });
    expect(errorOf(refused).error_description).toMatch(/PKCE/);
    expect(sessionCookie(browser)).toBeUndefined();
  });

  it('refuses a product limited to another tenant with access_denied, and starts no session', async () => {
    const browser = new HttpBrowser();
    const start = await startProductSignIn(globexOnly, { organization: 'acme' });
    const refused = await followToProduct(browser, await browser.get(start.url), globexOnly);
    expect(refused.location).toMatch(new RegExp(`^${globexOnly.redirectUri}\\?`));
    expect(errorOf(refused)).toMatchObject({ error: 'access_denied', state: start.state });
    expect(errorOf(refused).error_description).toMatch(/may not sign in to Globex/);
    expect(sessionCookie(browser)).toBeUndefined();

    // Signed in to acme already: still refused, and the session is left alone.
    const { browser: signedIn } = await signIn(wiki, 'ada@acme.example');
    const again = await startProductSignIn(globexOnly);
    const refusedAgain = await followToProduct(signedIn, await signedIn.get(again.url), globexOnly);
    expect(errorOf(refusedAgain).error).toBe('access_denied');
    expect((await signedIn.get(`${gw.publicUrl}/auth/me`)).status).toBe(200);
  });

  it('refuses an unregistered redirect URI with a page, never a redirect', async () => {
    const browser = new HttpBrowser();
    const start = await startProductSignIn({ ...wiki, redirectUri: 'https://attacker.example/callback' });
    const page = await browser.get(start.url);
    expect(page.status).toBe(400);
    expect(page.location).toBeUndefined();
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.body).toMatch(/redirect_uri/);
    expect(sessionCookie(browser)).toBeUndefined();
  });

  it('refuses a replayed code, and revokes what the first exchange gave', async () => {
    const browser = new HttpBrowser();
    const start = await startProductSignIn(wiki, { organization: 'acme' });
    const done = await gw.signIn(browser, start.url, 'alan@acme.example');
    const tokens = await finishProductSignIn(wiki, start, done.location!);
    await expect(finishProductSignIn(wiki, start, done.location!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.fetchUserInfo(wiki.config, tokens.access_token, tokens.claims()!.sub)).rejects.toMatchObject({
      status: 401,
    });
  });

  it('refuses a code for another product, and one with the wrong verifier', async () => {
    const browser = new HttpBrowser();
    const start = await startProductSignIn(wiki, { organization: 'acme' });
    const done = await gw.signIn(browser, start.url, 'alan@acme.example');
    const stolen: ProductSignInStart = { ...start };
    await expect(
      finishProductSignIn({ ...billing, redirectUri: wiki.redirectUri }, stolen, done.location!),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(
      finishProductSignIn(wiki, { ...start, verifier: oidc.randomPKCECodeVerifier() }, done.location!),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses tampered tokens', async () => {
    const { tokens, browser } = await signIn(wiki, 'grace@acme.example');
    const [header, payload, signature] = tokens.id_token!.split('.');
    const forged = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    forged.org = 'globex';
    const tampered = `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`;
    const jwks = (await (await fetch(`${gw.publicUrl}/.well-known/jwks.json`)).json()) as { keys: any[] };
    const { compactVerify, importJWK } = await import('jose');
    const key = await importJWK(jwks.keys[0], 'ES256');
    await expect(compactVerify(tampered, key)).rejects.toThrow(/signature/);
    await expect(compactVerify(tokens.id_token!, key)).resolves.toBeDefined();

    // The gateway itself refuses the forged ID token as a logout hint: a page, and the session stays.
    const logout = await browser.get(
      oidc.buildEndSessionUrl(wiki.config, {
        id_token_hint: tampered,
        post_logout_redirect_uri: `${PRODUCT}/wiki/signed-out`,
      }),
    );
    expect(logout.status).toBe(400);
    expect(logout.location).toBeUndefined();
    expect(logout.headers.get('content-type')).toMatch(/^text\/html/);
    expect(logout.body).toContain('<title>Sign-out failed</title>');
    expect(logout.body).toMatch(/id_token_hint/);
    expect(await me(browser)).toMatchObject({ status: 200, email: 'grace@acme.example' });
    expect(await signedOutEvents(tokens.claims()!.sub)).toBe(0);

    const userinfo = await fetch(`${gw.publicUrl}/oidc/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token.slice(0, -2)}xx` },
    });
    expect(userinfo.status).toBe(401);
    expect(userinfo.headers.get('www-authenticate')).toMatch(/invalid_token/);
    await expect(oidc.refreshTokenGrant(wiki.config, 'not-a-refresh-token')).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('refuses a deactivated user with a page, and no session', async () => {
    const created = await acme.send('POST', '/scim/v2/Users', {
      schemas: [USER_SCHEMA],
      userName: 'zed@acme.example',
      externalId: '00u-zed',
      emails: [{ value: 'zed@acme.example', primary: true }],
      active: false,
    });
    expect(created.status).toBe(201);
    gw.idp.addAccount({ sub: '00u-zed', email: 'zed@acme.example', name: 'Zed' });
    const browser = new HttpBrowser();
    const start = await startProductSignIn(wiki, { organization: 'acme' });
    const page = await gw.signIn(browser, start.url, 'zed@acme.example');
    expect(page.status).toBe(403);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(sessionCookie(browser)).toBeUndefined();
  });

  it('shows a page when the IdP goes down mid-flow, and starts no session', async () => {
    const idp = await startTestIdp({ accounts: [{ sub: 'x-1', email: 'ivy@initech.example', name: 'Ivy' }] });
    try {
      await gw.admin.post('/admin/v1/tenants', { slug: 'initech', name: 'Initech', domains: ['initech.example'] });
      idp.registerClient({
        client_id: 'gw-initech',
        client_secret: 'initech-secret',
        redirect_uris: [`${gw.publicUrl}/auth/callback`],
      });
      const connected = await gw.admin.put('/admin/v1/tenants/initech/oidc', {
        issuer: idp.issuer,
        clientId: 'gw-initech',
        clientSecret: 'initech-secret',
      });
      expect(connected.status).toBe(200);
      const browser = new HttpBrowser();
      const start = await startProductSignIn(wiki, { organization: 'initech' });
      const login = await browser.open(start.url);
      const toCallback = await browser.submitLoginForm(login, 'ivy@initech.example');
      const atCallback = await browser.follow(toCallback, { stopAt: (url) => url.pathname === '/auth/callback' });
      await idp.close();
      const page = await browser.follow(atCallback);
      expect(page.url).toMatch(/\/auth\/callback/);
      expect(page.status).toBe(502);
      expect(page.body).toMatch(/identity provider/i);
      expect(sessionCookie(browser)).toBeUndefined();
    } finally {
      await idp.close().catch(() => undefined);
    }
  });

  it('signs the next person in on a shared browser after the first signed out, through the IdP once', async () => {
    const { browser, tokens: hanks } = await signIn(wiki, 'hank@acme.example');
    // Hank signs out at the gateway, and at the IdP it sends him on to; the provider's cookie stays.
    const idpLogout = await browser.open(`${gw.publicUrl}/auth/logout`);
    expect(idpLogout.url.startsWith(gw.idp.origin)).toBe(true);
    await browser.follow(await browser.submitForm(idpLogout));
    expect((await me(browser)).status).toBe(401);
    expect(browser.cookies.get(gw.publicUrl, 'gw_op_session')).toBeDefined();

    const idpLogins = gw.idp.tokenRequests().length;
    // Straight back to the product with a code: no logout to confirm on the way.
    const { tokens } = await signIn(wiki, 'iris@acme.example', { organization: 'acme' }, browser);
    expect(gw.idp.tokenRequests().length).toBe(idpLogins + 1);
    const iris = tokens.claims()!;
    expect(iris).toMatchObject({ email: 'iris@acme.example' });
    expect(iris.sub).not.toBe(hanks.claims()!.sub);
    expect(await me(browser)).toMatchObject({ status: 200, email: 'iris@acme.example' });
    expect(await signedOutEvents(iris.sub)).toBe(0);
    expect(await signedOutEvents(hanks.claims()!.sub)).toBe(1);
  });

  it("signs another person in on a browser left with someone's provider session, and ends neither sign-in", async () => {
    const { browser: janes, tokens: janeTokens } = await signIn(wiki, 'jane@acme.example');
    const jane = janeTokens.claims()!;
    // A browser that kept Jane's provider session but not her gateway session.
    const shared = new HttpBrowser();
    shared.cookies.store(
      gw.publicUrl,
      janes.cookies
        .cookies(gw.publicUrl)
        .filter((cookie) => cookie.name.startsWith('gw_op_session'))
        .map((cookie) => `${cookie.name}=${cookie.value}; Path=${cookie.path}`),
    );
    expect(shared.cookies.get(gw.publicUrl, 'gw_op_session')).toBeDefined();

    const idpLogins = gw.idp.tokenRequests().length;
    const { tokens } = await signIn(wiki, 'kurt@acme.example', { organization: 'acme' }, shared);
    expect(gw.idp.tokenRequests().length).toBe(idpLogins + 1);
    const kurt = tokens.claims()!;
    expect(kurt).toMatchObject({ email: 'kurt@acme.example' });
    expect(kurt.sub).not.toBe(jane.sub);
    expect(await me(shared)).toMatchObject({ status: 200, email: 'kurt@acme.example' });
    expect(await me(janes)).toMatchObject({ status: 200, email: 'jane@acme.example' });

    // Jane, in her own browser, still signs in to another product without the IdP.
    const start = await startProductSignIn(billing);
    const done = await followToProduct(janes, await janes.get(start.url), billing);
    expect(done.location).toMatch(new RegExp(`^${billing.redirectUri}\\?code=`));
    expect(done.chain.some((hop) => hop.url.startsWith(gw.idp.origin))).toBe(false);
    expect((await finishProductSignIn(billing, start, done.location!)).claims()!.sub).toBe(jane.sub);
    expect(await signedOutEvents(kurt.sub)).toBe(0);
    expect(await signedOutEvents(jane.sub)).toBe(0);
  });

  it('ends the gateway session when the user logs out at the product', async () => {
    const { browser, tokens } = await signIn(wiki, 'alan@acme.example', {
      organization: 'acme',
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    expect((await browser.get(`${gw.publicUrl}/auth/me`)).status).toBe(200);
    const logoutUrl = oidc.buildEndSessionUrl(wiki.config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: `${PRODUCT}/wiki/signed-out`,
      state: 'bye',
    });
    const confirm = await browser.get(logoutUrl);
    expect(confirm.status).toBe(200);
    expect(confirm.body).toContain('Sign out');
    const out = await browser.submitForm(confirm);
    expect(out.status).toBe(303);
    expect(out.location).toBe(`${PRODUCT}/wiki/signed-out?state=bye`);
    expect((await browser.get(`${gw.publicUrl}/auth/me`)).status).toBe(401);
    await expect(oidc.refreshTokenGrant(wiki.config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    // The next sign-in goes through the IdP again.
    const start = await startProductSignIn(billing);
    const next = await browser.open(start.url, { stopAt: (url) => url.href.startsWith(billing.redirectUri) });
    expect(next.location?.startsWith(billing.redirectUri) ?? false).toBe(false);
  });
});
