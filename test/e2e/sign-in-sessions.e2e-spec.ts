import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { Redis } from 'ioredis';
import { DOWNSTREAM_TOKEN_AUDIENCE } from '@app/identity';
import { REDIS } from '@app/platform';
import { HttpBrowser } from '../support/http-browser';
import { USER_SCHEMA } from '../support/scim-client';
import { SignInGateway, SignInTenant, startSignInGateway } from '../support/sign-in-gateway';

describe('sessions, access and tokens of signed-in users', () => {
  let gw: SignInGateway;
  let acme: SignInTenant;
  let globex: SignInTenant;

  beforeAll(async () => {
    gw = await startSignInGateway({
      accounts: [
        { sub: '00u-ann', email: 'ann@acme.example', name: 'Ann', groups: ['Engineering'] },
        { sub: '00u-ben', email: 'ben@acme.example', name: 'Ben' },
        { sub: '00u-cat', email: 'cat@acme.example', name: 'Cat', groups: ['Support'] },
        { sub: '00u-dan', email: 'dan@acme.example', name: 'Dan' },
        { sub: '00u-gus', email: 'gus@globex.example', name: 'Gus' },
      ],
    });
    acme = await gw.tenant('acme', {
      connection: { postLogoutRedirectUri: 'https://www.acme.example/signed-out' },
    });
    globex = await gw.tenant('globex');
  });
  afterAll(() => gw?.close());

  async function signIn(login: string, tenant = 'acme'): Promise<HttpBrowser> {
    const browser = new HttpBrowser();
    const returnTo = `https://app.${tenant}.example/home`;
    const done = await gw.signIn(
      browser,
      `${gw.publicUrl}/auth/login?tenant=${tenant}&return_to=${encodeURIComponent(returnTo)}`,
      login,
    );
    expect(done.location).toBe(returnTo);
    return browser;
  }

  async function me(browser: HttpBrowser): Promise<{ status: number; body: any }> {
    const response = await browser.get(`${gw.publicUrl}/auth/me`);
    return { status: response.status, body: JSON.parse(response.body) };
  }

  async function token(browser: HttpBrowser): Promise<{ status: number; body: any }> {
    const response = await browser.post(`${gw.publicUrl}/auth/token`, {});
    return { status: response.status, body: JSON.parse(response.body) };
  }

  /** Sends an admin API request with the browser's session instead of the admin token (and its CSRF token). */
  async function asSession(
    browser: HttpBrowser,
    method: 'GET' | 'PUT',
    path: string,
    body?: unknown,
    csrf: 'send' | 'omit' = 'send',
  ) {
    const cookie = browser.cookies.header(new URL(gw.publicUrl))!;
    const portal =
      method === 'GET' || csrf === 'omit' ? undefined : await browser.get(`${gw.publicUrl}/portal/api/session`);
    const token = portal ? (JSON.parse(portal.body) as { csrfToken: string }).csrfToken : undefined;
    const response = await fetch(`${gw.publicUrl}${path}`, {
      method,
      headers: {
        cookie,
        ...(token ? { 'x-csrf-token': token } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  async function provision(tenant: SignInTenant, body: Record<string, unknown>): Promise<string> {
    const created = await tenant.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], ...body });
    expect(created.status).toBe(201);
    return created.body.id as string;
  }

  /** Whether Redis holds no session of the user any more. */
  async function sessionsGone(userId: string): Promise<boolean> {
    const redis = gw.oidc.get<Redis>(REDIS);
    return (await redis.exists(`${gw.config.redisPrefix}:sessions:user:${userId}`)) === 0;
  }

  /** Polls until `check` holds; how long it took. */
  async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
    const started = Date.now();
    while (!(await check())) {
      if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return Date.now() - started;
  }

  it('answers /auth/me and /auth/token with 401 and no session', async () => {
    const browser = new HttpBrowser();
    expect((await me(browser)).status).toBe(401);
    expect((await me(browser)).body.error.code).toBe('unauthorized');
    expect((await token(browser)).status).toBe(401);
    const forged = new HttpBrowser();
    forged.cookies.store(new URL(gw.publicUrl), ['gw_session=not-a-session; Path=/']);
    expect((await me(forged)).status).toBe(401);
  });

  it('replaces the session a browser held when it signs in again, and records the old one as signed out', async () => {
    const browser = await signIn('ann@acme.example');
    const first = await me(browser);
    const oldCookie = browser.cookies.get(gw.publicUrl, 'gw_session')!;
    // The IdP remembers the person: this time it answers without its login form.
    const again = await browser.open(
      `${gw.publicUrl}/auth/login?tenant=acme&return_to=${encodeURIComponent('https://app.acme.example/home')}`,
      { stopAt: (url) => url.origin !== gw.publicUrl && url.origin !== new URL(gw.idp.issuer).origin },
    );
    expect(again.location).toBe('https://app.acme.example/home');
    const second = await me(browser);
    expect(second.body.session.id).not.toBe(first.body.session.id);
    const stale = new HttpBrowser();
    stale.cookies.store(new URL(gw.publicUrl), [`gw_session=${oldCookie}; Path=/`]);
    expect((await me(stale)).status).toBe(401);
    const signedOut = await gw.db.query<{ payload: any }>(
      `SELECT payload FROM outbox_events WHERE subject_id = $1 AND type = 'user.signed_out'`,
      [first.body.user.id],
    );
    expect(signedOut.map((event) => event.payload.data.session.id)).toContain(first.body.session.id);
  });

  it('ends every session of a user deactivated through SCIM within a second, and lets them back after reactivation', async () => {
    const id = await provision(acme, { userName: 'ben@acme.example', externalId: '00u-ben' });
    const laptop = await signIn('ben@acme.example');
    const phone = await signIn('ben@acme.example');
    expect((await me(laptop)).status).toBe(200);
    expect((await me(phone)).status).toBe(200);

    const patch = await acme.send('PATCH', `/scim/v2/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(patch.status).toBe(200);
    // The session-ending consumer removes the sessions themselves (not only /auth/me's user check).
    const elapsed = await within(1000, () => sessionsGone(id));
    expect(elapsed).toBeLessThan(1000);
    expect((await me(laptop)).status).toBe(401);
    expect((await me(phone)).status).toBe(401);

    await acme.send('PATCH', `/scim/v2/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { active: true } }],
    });
    const again = await signIn('ben@acme.example');
    // A late copy of the deactivation must not end the new session: wait past the consumer's reach.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await me(again)).body.user.id).toBe(id);
  });

  it('ends the sessions of a user deleted through SCIM', async () => {
    const id = await provision(acme, { userName: 'dan@acme.example', externalId: '00u-dan' });
    const browser = await signIn('dan@acme.example');
    expect((await acme.send('DELETE', `/scim/v2/Users/${id}`)).status).toBe(204);
    await within(1000, () => sessionsGone(id));
    expect((await me(browser)).status).toBe(401);
  });

  it('shows roles and teams an administrator grants at once, and records user.roles_changed', async () => {
    const browser = await signIn('ann@acme.example');
    const { body } = await me(browser);
    expect(body.user.roles).toEqual([]);
    expect(
      (await gw.admin.put(`/admin/v1/tenants/acme/users/${body.user.id}/roles`, { roles: ['editor'] })).status,
    ).toBe(200);
    expect((await gw.admin.put(`/admin/v1/tenants/acme/users/${body.user.id}/teams`, { teams: ['blue'] })).status).toBe(
      200,
    );
    const after = await me(browser);
    expect(after.body.user).toMatchObject({ roles: ['editor'], teams: ['blue'] });
    const events = await gw.db.query<{ type: string }>(
      `SELECT type FROM outbox_events WHERE subject_id = $1 AND type = 'user.roles_changed'`,
      [body.user.id],
    );
    expect(events).toHaveLength(2);
  });

  it('applies group-role rules at sign-in, from the groups claim and from SCIM group memberships', async () => {
    const rules = await gw.admin.put('/admin/v1/tenants/acme/group-roles', {
      rules: [
        { group: 'support', roles: ['helpdesk'] },
        { group: 'Finance', roles: ['finance-viewer'] },
      ],
    });
    expect(rules.status).toBe(200);
    const catId = await provision(acme, { userName: 'cat@acme.example', externalId: '00u-cat' });
    const group = await acme.send('POST', '/scim/v2/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Finance',
      members: [{ value: catId }],
    });
    expect(group.status).toBe(201);
    const { body } = await me(await signIn('cat@acme.example'));
    expect(body.user.roles.sort()).toEqual(['finance-viewer', 'helpdesk']);
    expect(body.user.groups.sort()).toEqual(['Finance', 'Support']);
  });

  it('issues a short-lived JWT that verifies against the published JWKS', async () => {
    const browser = await signIn('ann@acme.example');
    const { body: current } = await me(browser);
    const issued = await token(browser);
    expect(issued.status).toBe(200);
    expect(issued.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 300 });
    const jwks = createRemoteJWKSet(new URL(`${gw.publicUrl}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(issued.body.access_token, jwks, {
      issuer: gw.publicUrl,
      audience: DOWNSTREAM_TOKEN_AUDIENCE,
    });
    expect(protectedHeader.alg).toMatch(/^(ES256|RS256)$/);
    expect(payload).toMatchObject({
      sub: current.user.id,
      tid: 'acme',
      email: 'ann@acme.example',
      name: 'Ann',
      roles: current.user.roles,
      teams: current.user.teams,
      sid: current.session.id,
    });
    expect(payload.exp! - payload.iat!).toBe(300);
    // The session id in tokens is not the cookie: a downstream product cannot act as the browser.
    expect(browser.cookies.get(gw.publicUrl, 'gw_session')).not.toContain(String(payload.sid));
    const tampered = issued.body.access_token.replace(
      /\.[^.]+\./,
      `.${Buffer.from(JSON.stringify({ ...decodeJwt(issued.body.access_token), roles: ['admin'] })).toString('base64url')}.`,
    );
    await expect(jwtVerify(tampered, jwks)).rejects.toThrow();
  });

  it('POST /auth/logout from a gateway page answers 302 to the IdP end-session endpoint, as GET does', async () => {
    const browser = await signIn('ann@acme.example');
    const response = await fetch(`${gw.publicUrl}/auth/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: browser.cookies.header(new URL(gw.publicUrl))!,
        origin: new URL(gw.publicUrl).origin,
        'sec-fetch-site': 'same-origin',
      },
    });
    expect(response.status).toBe(302);
    const endSession = new URL(response.headers.get('location')!);
    expect(endSession.href.startsWith(gw.idp.issuer)).toBe(true);
    expect(endSession.searchParams.get('id_token_hint')).toMatch(/^eyJ/);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${gw.publicUrl}/auth/logged-out/acme`);
    expect(response.headers.get('set-cookie')).toContain('gw_session=;');
    expect((await me(browser)).status).toBe(401);
  });

  it('logs out through the IdP end-session endpoint and back to the tenant post-logout URL', async () => {
    const browser = await signIn('ann@acme.example');
    const { body } = await me(browser);
    const idTokenRequests = gw.idp.requests.length;
    const logout = await browser.get(`${gw.publicUrl}/auth/logout`);
    expect(logout.status).toBe(302);
    const endSession = new URL(logout.location!);
    expect(endSession.href.startsWith(gw.idp.issuer)).toBe(true);
    expect(endSession.searchParams.get('id_token_hint')).toMatch(/^eyJ/);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${gw.publicUrl}/auth/logged-out/acme`);
    expect((await me(browser)).status).toBe(401);

    const confirm = await browser.follow(logout);
    const back = await browser.follow(await browser.submitForm(confirm), {
      stopAt: (url) => url.origin !== gw.publicUrl && url.origin !== new URL(gw.idp.issuer).origin,
    });
    expect(back.location).toBe('https://www.acme.example/signed-out');
    expect(new URL(back.url).pathname).toBe('/auth/logged-out/acme');
    expect(gw.idp.requests.length).toBeGreaterThan(idTokenRequests);
    const signedOut = await gw.db.query<{ payload: any }>(
      `SELECT payload FROM outbox_events WHERE subject_id = $1 AND type = 'user.signed_out'`,
      [body.user.id],
    );
    expect(signedOut.map((event) => event.payload.data.session.id)).toContain(body.session.id);
    // Logging out again, without a session, is a plain page.
    const again = await browser.get(`${gw.publicUrl}/auth/logout`);
    expect(again.status).toBe(200);
    expect(again.body).toMatch(/signed out/);
  });

  it("lets a signed-in tenant admin use their own tenant's user endpoints, and nothing else", async () => {
    const admin = await signIn('ann@acme.example');
    const annId = (await me(admin)).body.user.id as string;
    const gus = await signIn('gus@globex.example', 'globex');
    expect((await asSession(admin, 'GET', '/admin/v1/tenants/acme/users')).status).toBe(403);

    await gw.admin.put(`/admin/v1/tenants/acme/users/${annId}/roles`, { roles: ['admin'] });
    const list = await asSession(admin, 'GET', '/admin/v1/tenants/acme/users');
    expect(list.status).toBe(200);
    expect(list.body.users.map((user: { userName: string }) => user.userName)).toContain('ann@acme.example');
    const benId = list.body.users.find((user: { userName: string }) => user.userName === 'ben@acme.example').id;
    // A change made with the session cookie needs the session's CSRF token.
    const withoutToken = await asSession(
      admin,
      'PUT',
      `/admin/v1/tenants/acme/users/${benId}/teams`,
      { teams: ['red'] },
      'omit',
    );
    expect(withoutToken.status).toBe(403);
    expect(withoutToken.body.error.code).toBe('csrf');
    expect(
      (await asSession(admin, 'PUT', `/admin/v1/tenants/acme/users/${benId}/teams`, { teams: ['red'] })).status,
    ).toBe(200);
    // Another tenant, the operator's endpoints and the rules stay closed.
    expect((await asSession(admin, 'GET', '/admin/v1/tenants/globex/users')).status).toBe(403);
    expect((await asSession(admin, 'GET', '/admin/v1/tenants')).status).toBe(401);
    expect((await asSession(admin, 'GET', '/admin/v1/tenants/acme/setup-links')).status).toBe(401);
    expect((await asSession(gus, 'GET', '/admin/v1/tenants/acme/users')).status).toBe(403);
    expect(globex).toBeDefined();
  });
});
