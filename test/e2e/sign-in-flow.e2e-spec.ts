import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { HttpBrowser, type BrowserResponse } from '../support/http-browser';
import { USER_SCHEMA } from '../support/scim-client';
import { SignInGateway, SignInTenant, startSignInGateway } from '../support/sign-in-gateway';
import { TEST_REDIS_URL } from '../support/test-environment';

const HOME = 'https://app.acme.example/home';

describe('sign-in through the tenant IdP', () => {
  let gw: SignInGateway;
  let acme: SignInTenant;
  let globex: SignInTenant;
  let redis: Redis;

  beforeAll(async () => {
    gw = await startSignInGateway({
      accounts: [
        { sub: '00u-ada', email: 'ada@acme.example', name: 'Ada Lovelace', groups: ['Engineering'] },
        { sub: '00u-grace', email: 'grace@acme.example', name: 'Grace Hopper' },
        { sub: '00u-alan', email: 'Alan@Acme.example', name: 'Alan Turing' },
        { sub: '00u-eve', email: 'eve@acme.example', email_verified: false, name: 'Eve' },
        { sub: '00u-dora', email: 'dora@acme.example', name: 'Dora' },
        { sub: '00u-dee', email: 'dee@acme.example', name: 'Dee' },
        { sub: '00u-bob', email: 'bob@globex.example', name: 'Bob' },
        { sub: '00u-carol', email: 'carol@globex.example', name: 'Carol' },
        { sub: '00u-fay', email: 'fay@acme.example', name: 'Fay' },
        { sub: '00u-uma', email: 'uma@acme.example', email_verified: false, name: 'Uma', preferred_username: 'uma' },
        { sub: '00u-zed', email: 'zed@acme.example', name: 'Zed' },
        { sub: 'pairwise-77', email: 'pat@initrode.example', preferred_username: 'pat.object-id', name: 'Pat' },
      ],
    });
    acme = await gw.tenant('acme');
    globex = await gw.tenant('globex', { signIn: 'provisioned-only' });
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    redis?.disconnect();
    await gw?.close();
  });

  const loginUrl = (tenant = 'acme', returnTo = HOME): string =>
    `${gw.publicUrl}/auth/login?tenant=${tenant}&return_to=${encodeURIComponent(returnTo)}`;

  async function signIn(login: string, url = loginUrl()): Promise<{ browser: HttpBrowser; done: BrowserResponse }> {
    const browser = new HttpBrowser();
    return { browser, done: await gw.signIn(browser, url, login) };
  }

  async function me(browser: HttpBrowser): Promise<{ status: number; body: any }> {
    const response = await browser.get(`${gw.publicUrl}/auth/me`);
    return { status: response.status, body: JSON.parse(response.body) };
  }

  const sessionCookie = (browser: HttpBrowser) => browser.cookies.get(gw.publicUrl, 'gw_session');
  /** The sign-in attempt's cookie: one per attempt, named after its state. */
  const attemptCookie = (browser: HttpBrowser) =>
    browser.cookies.cookies(new URL(gw.publicUrl)).find((cookie) => cookie.name.startsWith('gw_sign_in_'));
  const usersOf = (tenant: SignInTenant) =>
    gw.db.query<{ id: string; user_name: string; external_id: string }>(
      `SELECT id, user_name, external_id FROM users WHERE tenant_id = $1 ORDER BY created_at`,
      [tenant.id],
    );
  const eventsOf = (userId: string) =>
    gw.db.query<{ type: string; payload: any }>(
      `SELECT type, payload FROM outbox_events WHERE subject_id = $1 ORDER BY sequence`,
      [userId],
    );

  async function provision(tenant: SignInTenant, body: Record<string, unknown>): Promise<string> {
    const created = await tenant.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], ...body });
    expect(created.status).toBe(201);
    return created.body.id as string;
  }

  /** The error page: its status, and that no session came with it. */
  function expectErrorPage(browser: HttpBrowser, page: BrowserResponse, status: number, text: RegExp): void {
    expect(page.status).toBe(status);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.body).toMatch(text);
    expect(page.body).toMatch(/Reference: <code>[^<]+<\/code>/);
    expect(sessionCookie(browser)).toBeUndefined();
  }

  it('creates an unknown person just in time, with no roles, and returns to return_to with a session', async () => {
    const { browser, done } = await signIn('ada@acme.example');
    expect(done.status).toBe(302);
    expect(done.location).toBe(HOME);
    expect(new URL(done.url).pathname).toBe('/auth/callback');
    const setCookie = done.headers.getSetCookie().find((cookie) => cookie.startsWith('gw_session='));
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/i); // PUBLIC_URL is http here

    const { status, body } = await me(browser);
    expect(status).toBe(200);
    // Okta's code-flow ID token is thin: name, email and groups came from userinfo.
    expect(body.user).toEqual({
      id: expect.any(String),
      tenant: 'acme',
      userName: 'ada@acme.example',
      email: 'ada@acme.example',
      name: 'Ada Lovelace',
      roles: [],
      teams: [],
      groups: ['Engineering'],
    });
    expect(new Date(body.session.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const [user] = (await usersOf(acme)).filter((row) => row.user_name === 'ada@acme.example');
    expect(user).toMatchObject({ id: body.user.id, external_id: '00u-ada' });
    const events = await eventsOf(user.id);
    expect(events.map((event) => event.type)).toEqual(['user.created', 'user.signed_in']);
    expect(events[1].payload.data.session).toEqual({ id: body.session.id });
    expect(JSON.stringify(events)).not.toMatch(/id_token|access_token|eyJ/);
  });

  it('finds the same user at the next sign-in and keeps a just-in-time profile as the IdP says', async () => {
    const first = await me((await signIn('ada@acme.example')).browser);
    gw.idp.setClaims('00u-ada', { name: 'Ada King' });
    const second = await me((await signIn('ada@acme.example')).browser);
    expect(second.body.user.id).toBe(first.body.user.id);
    expect(second.body.user.name).toBe('Ada King');
    expect(second.body.session.id).not.toBe(first.body.session.id);
    const types = (await eventsOf(first.body.user.id)).map((event) => event.type);
    expect(types.filter((type) => type === 'user.created')).toHaveLength(1);
    expect(types).toContain('user.updated');
    expect((await usersOf(acme)).filter((row) => row.user_name === 'ada@acme.example')).toHaveLength(1);
  });

  it("links the SCIM user whose externalId is the IdP's subject (Okta provisions its user id so)", async () => {
    const id = await provision(acme, { userName: 'grace.hopper@acme.example', externalId: '00u-grace' });
    const { browser } = await signIn('grace@acme.example');
    const { body } = await me(browser);
    expect(body.user.id).toBe(id);
    expect(body.user.userName).toBe('grace.hopper@acme.example');
    expect((await eventsOf(id)).map((event) => event.type)).toEqual(['user.created', 'user.signed_in']);
  });

  it('links the SCIM user whose userName is the verified email, case-insensitively', async () => {
    const id = await provision(acme, { userName: 'alan@acme.example' });
    const { body } = await me((await signIn('Alan@Acme.example')).browser);
    expect(body.user.id).toBe(id);
    // Linked once, found by the link afterwards even if the email changes at the IdP.
    gw.idp.setClaims('00u-alan', { email: 'alan.turing@acme.example' });
    expect((await me((await signIn('alan.turing@acme.example')).browser)).body.user.id).toBe(id);
  });

  it('never links by an unverified email, and refuses rather than taking the name', async () => {
    const id = await provision(acme, { userName: 'eve@acme.example' });
    const { browser, done } = await signIn('eve@acme.example');
    expectErrorPage(browser, done, 403, /could not be matched to you/);
    expect(await gw.db.query(`SELECT 1 FROM user_identities WHERE user_id = $1`, [id])).toHaveLength(0);
  });

  it('refuses an unknown person in a provisioned-only tenant, and admits a provisioned one', async () => {
    const before = await usersOf(globex);
    const refused = await signIn('bob@globex.example', loginUrl('globex', 'https://app.globex.example/home'));
    expectErrorPage(refused.browser, refused.done, 403, /not given you access yet/);
    expect(await usersOf(globex)).toEqual(before);

    const id = await provision(globex, { userName: 'carol@globex.example', externalId: '00u-carol' });
    const admitted = await signIn('carol@globex.example', loginUrl('globex', 'https://app.globex.example/home'));
    expect(admitted.done.location).toBe('https://app.globex.example/home');
    expect((await me(admitted.browser)).body.user).toMatchObject({ id, tenant: 'globex' });
  });

  it('refuses a deactivated user, and a deleted one even where just-in-time users are allowed', async () => {
    const dora = await provision(acme, { userName: 'dora@acme.example', externalId: '00u-dora', active: false });
    const deactivated = await signIn('dora@acme.example');
    expectErrorPage(deactivated.browser, deactivated.done, 403, /deactivated/);

    const dee = await provision(acme, { userName: 'dee@acme.example', externalId: '00u-dee' });
    expect((await me((await signIn('dee@acme.example')).browser)).body.user.id).toBe(dee);
    expect((await acme.send('DELETE', `/scim/v2/Users/${dee}`)).status).toBe(204);
    const deleted = await signIn('dee@acme.example');
    expectErrorPage(deleted.browser, deleted.done, 403, /removed/);
    expect((await usersOf(acme)).map((row) => row.user_name)).not.toContain('dee@acme.example');
    expect(dora).toBeDefined();
  });

  it('makes one user of a new person signing in twice at once (two tabs)', async () => {
    const [first, second] = await Promise.all([signIn('fay@acme.example'), signIn('fay@acme.example')]);
    expect(first.done.location).toBe(HOME);
    expect(second.done.location).toBe(HOME);
    const [a, b] = [await me(first.browser), await me(second.browser)];
    expect(a.body.user.id).toBe(b.body.user.id);
    expect((await usersOf(acme)).filter((row) => row.user_name === 'fay@acme.example')).toHaveLength(1);
  });

  it('lets two tabs of one browser sign in at the same time', async () => {
    const browser = new HttpBrowser();
    const first = await browser.open(loginUrl());
    const second = await browser.open(loginUrl('acme', 'https://app.acme.example/settings'));
    const outside = (url: URL) => url.origin !== gw.publicUrl && url.origin !== new URL(gw.idp.issuer).origin;
    const doneSecond = await browser.follow(await browser.submitLoginForm(second, 'ada@acme.example'), {
      stopAt: outside,
    });
    const doneFirst = await browser.follow(await browser.submitLoginForm(first, 'ada@acme.example'), {
      stopAt: outside,
    });
    expect(doneSecond.location).toBe('https://app.acme.example/settings');
    expect(doneFirst.location).toBe(HOME);
    expect((await me(browser)).status).toBe(200);
  });

  it('keeps an email the IdP did not verify off the record of a user created just in time', async () => {
    const { body } = await me((await signIn('uma@acme.example')).browser);
    expect(body.user).toMatchObject({ userName: 'uma', email: null, name: 'Uma' });
    const [row] = await gw.db.query<{ resource: Record<string, unknown> }>(`SELECT resource FROM users WHERE id = $1`, [
      body.user.id,
    ]);
    expect(JSON.stringify(row.resource)).not.toContain('uma@acme.example');
  });

  it('does not link by email a SCIM user whose externalId names someone else', async () => {
    const other = await provision(acme, { userName: 'zed@acme.example', externalId: '00u-somebody-else' });
    const { browser, done } = await signIn('zed@acme.example');
    expectErrorPage(browser, done, 403, /could not be matched to you/);
    expect(await gw.db.query(`SELECT 1 FROM user_identities WHERE user_id = $1`, [other])).toHaveLength(0);
  });

  it("links by the connection's externalIdClaim where the IdP's sub is not what SCIM sent (Entra)", async () => {
    const initrode = await gw.tenant('initrode', {
      signIn: 'provisioned-only',
      connection: { externalIdClaim: 'preferred_username' },
    });
    const id = await provision(initrode, { userName: 'pat@initrode.example', externalId: 'pat.object-id' });
    const { browser } = await signIn('pat@initrode.example', loginUrl('initrode', 'https://app.initrode.example/home'));
    expect((await me(browser)).body.user).toMatchObject({ id, tenant: 'initrode' });
    const [link] = await gw.db.query<{ subject: string }>(`SELECT subject FROM user_identities WHERE user_id = $1`, [
      id,
    ]);
    expect(link.subject).toBe('pairwise-77');
  });

  it('counts sign-ins by outcome on /metrics', async () => {
    const metrics = (await gw.oidc.inject({ method: 'GET', url: '/metrics' })).body;
    const count = (outcome: string) =>
      Number(new RegExp(`^gateway_sign_ins_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0);
    // The tests above signed people in, and refused some (deactivated, deleted, not provisioned).
    expect(count('signed_in')).toBeGreaterThan(5);
    expect(count('refused')).toBeGreaterThanOrEqual(4);
  });

  describe('the start of a sign-in', () => {
    it('redirects to the IdP with PKCE (S256), state and nonce, and keeps the attempt server-side', async () => {
      const browser = new HttpBrowser();
      const start = await browser.get(loginUrl());
      expect(start.status).toBe(302);
      const authorize = new URL(start.location!);
      expect(authorize.origin + authorize.pathname).toMatch(new RegExp(`^${gw.idp.issuer}`));
      const params = authorize.searchParams;
      expect(params.get('client_id')).toBe(acme.clientId);
      expect(params.get('redirect_uri')).toBe(`${gw.publicUrl}/auth/callback`);
      expect(params.get('response_type')).toBe('code');
      expect(params.get('code_challenge_method')).toBe('S256');
      expect(params.get('code_challenge')).toMatch(/^[\w-]{43}$/);
      expect(params.get('state')).toMatch(/^[\w-]{20,}$/);
      expect(params.get('nonce')).toMatch(/^[\w-]{20,}$/);
      expect(params.get('scope')).toBe('openid profile email groups');
      const attempt = start.headers.getSetCookie().find((cookie) => cookie.startsWith('gw_sign_in_'));
      expect(attempt).toMatch(/HttpOnly/i);
      expect(attempt).toMatch(/SameSite=Lax/i);
      expect(attempt).toMatch(/Max-Age=600/);
      // Nothing of the attempt (verifier, nonce) is in the cookie itself.
      expect(attempt).not.toContain(params.get('state')!);
    });

    it('picks the tenant from the login hint email domain, and passes the hint on', async () => {
      const start = await new HttpBrowser().get(`${gw.publicUrl}/auth/login?login_hint=ada%40acme.example`);
      expect(start.status).toBe(302);
      const params = new URL(start.location!).searchParams;
      expect(params.get('client_id')).toBe(acme.clientId);
      expect(params.get('login_hint')).toBe('ada@acme.example');
    });

    it("sends a login on a tenant's subdomain of PUBLIC_URL to the same login on PUBLIC_URL", async () => {
      // The IdP returns to PUBLIC_URL, so the attempt's cookie must be set there, not on the subdomain.
      const host = `globex.${new URL(gw.publicUrl).host}`;
      const start = await gw.oidc.inject({
        method: 'GET',
        url: `/auth/login?return_to=${encodeURIComponent('https://app.globex.example/home')}`,
        headers: { host },
      });
      expect(start.statusCode).toBe(302);
      const canonical = new URL(String(start.headers.location));
      expect(canonical.origin + canonical.pathname).toBe(`${gw.publicUrl}/auth/login`);
      expect(canonical.searchParams.get('tenant')).toBe('globex');
      expect(canonical.searchParams.get('return_to')).toBe('https://app.globex.example/home');
      expect(start.headers['set-cookie']).toBeUndefined();
      const onward = await new HttpBrowser().get(canonical);
      expect(new URL(onward.location!).searchParams.get('client_id')).toBe(globex.clientId);
    });

    it('starts a sign-in at /auth/login whatever its query says (a stray code is not a callback)', async () => {
      const start = await new HttpBrowser().get(`${loginUrl()}&code=stray&state=stray`);
      expect(start.status).toBe(302);
      expect(new URL(start.location!).searchParams.get('client_id')).toBe(acme.clientId);
    });

    it.each([
      ['https://evil.example/home'],
      ['https://app.acme.example/home/../../elsewhere'],
      ['https://app.acme.example.evil.example/home'],
      ['//evil.example'],
      ['javascript:alert(1)'],
      ['https://app.globex.example/home'],
    ])('refuses return_to=%s with a 400 page, never a redirect', async (returnTo) => {
      const browser = new HttpBrowser();
      const start = await browser.get(loginUrl('acme', returnTo));
      expect(start.location).toBeUndefined();
      expectErrorPage(browser, start, 400, /not one this organization allows/);
      expect(attemptCookie(browser)).toBeUndefined();
    });

    it('answers an unknown tenant, or none at all, with a page that says so', async () => {
      const unknown = await new HttpBrowser().get(`${gw.publicUrl}/auth/login?tenant=initech`);
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatch(/No organization is called &#34;initech&#34;/);
      const byDomain = await new HttpBrowser().get(`${gw.publicUrl}/auth/login?login_hint=someone%40nowhere.example`);
      expect(byDomain.status).toBe(404);
      const none = await new HttpBrowser().get(`${gw.publicUrl}/auth/login`);
      expect(none.status).toBe(400);
      expect(none.body).toMatch(/Say which organization/);
    });
  });

  describe('a callback that must be refused', () => {
    /** Runs a sign-in up to the IdP's redirect back, without letting the gateway see it. */
    async function untilCallback(login = 'ada@acme.example'): Promise<{ browser: HttpBrowser; callback: URL }> {
      const browser = new HttpBrowser();
      const loginPage = await browser.open(loginUrl());
      const back = await browser.follow(await browser.submitLoginForm(loginPage, login), {
        stopAt: (url) => url.pathname === '/auth/callback',
      });
      return { browser, callback: new URL(back.location!) };
    }

    it('refuses a forged state, without redeeming the code', async () => {
      const { browser, callback } = await untilCallback();
      callback.searchParams.set('state', 'forged-state-value-0123456789');
      const tokenRequests = gw.idp.tokenRequests().length;
      const page = await browser.get(callback);
      expectErrorPage(browser, page, 400, /could not be verified|Sign-in failed/);
      expect(gw.idp.tokenRequests()).toHaveLength(tokenRequests);
    });

    it('refuses a replayed callback: the attempt is used up', async () => {
      const { browser, callback } = await untilCallback();
      const attempt = attemptCookie(browser)!;
      expect((await browser.get(callback)).status).toBe(302);
      // Even with the attempt cookie put back, the attempt it named is gone.
      const replayer = new HttpBrowser();
      replayer.cookies.store(new URL(gw.publicUrl), [`${attempt.name}=${attempt.value}; Path=/`]);
      const page = await replayer.get(callback);
      expectErrorPage(replayer, page, 400, /expired, was already completed/);
    });

    it('refuses a code replayed into a new attempt: the IdP will not redeem it twice, nor for another verifier', async () => {
      const { browser, callback } = await untilCallback();
      expect((await browser.get(callback)).status).toBe(302);
      // The same browser starts again; the old code is sent with the new attempt's state.
      const start = await browser.get(loginUrl());
      const state = new URL(start.location!).searchParams.get('state')!;
      const replay = new URL(callback);
      replay.searchParams.set('state', state);
      browser.cookies.clear();
      browser.cookies.store(new URL(gw.publicUrl), start.headers.getSetCookie());
      const page = await browser.get(replay);
      expectErrorPage(browser, page, 400, /did not accept the sign-in \(invalid_grant\)/);
      expect(gw.idp.errors.at(-1)).toMatchObject({ event: 'grant.error', error: 'invalid_grant' });
    });

    it('refuses an ID token whose nonce is not the one this attempt sent', async () => {
      const { browser, callback } = await untilCallback();
      const key = `${gw.config.redisPrefix}:sign-in:${createHash('sha256')
        .update(attemptCookie(browser)!.value)
        .digest('base64url')}`;
      const attempt = JSON.parse((await redis.get(key))!);
      attempt.checks.nonce = 'a-different-nonce-0123456789';
      await redis.set(key, JSON.stringify(attempt), 'PX', 60_000);
      const page = await browser.get(callback);
      expectErrorPage(browser, page, 400, /could not be verified/);
    });

    it('shows the IdP refusing the sign-in (the person cancelled)', async () => {
      const browser = new HttpBrowser();
      const loginPage = await browser.open(loginUrl());
      const cancelAction = /<form[^>]*action="([^"]*abort[^"]*)"/.exec(loginPage.body)?.[1];
      expect(cancelAction).toBeDefined();
      const cancelled = await browser.follow(await browser.post(new URL(cancelAction!, loginPage.url), {}));
      expectErrorPage(browser, cancelled, 400, /did not sign you in|refused the sign-in/);
    });

    it('refuses a callback that carries no code, without starting another sign-in', async () => {
      const { browser, callback } = await untilCallback();
      callback.searchParams.delete('code');
      const page = await browser.get(callback);
      expectErrorPage(browser, page, 400, /could not be verified|did not sign you in/);
      expect(page.location).toBeUndefined();
    });

    it('refuses a callback with no attempt cookie (started in another browser)', async () => {
      const { callback } = await untilCallback();
      const stranger = new HttpBrowser();
      expectErrorPage(stranger, await stranger.get(callback), 400, /started in another browser/);
    });
  });
});
