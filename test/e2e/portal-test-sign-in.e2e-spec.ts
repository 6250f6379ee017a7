import { HttpBrowser, type BrowserResponse } from '../support/http-browser';
import { SignInGateway, SignInTenant, startSignInGateway } from '../support/sign-in-gateway';

/**
 * A test sign-in from the setup portal: through the tenant's real IdP (the in-process
 * oidc-provider) and the normal /auth/callback, ending on a page with the claims received,
 * and creating no user, no session and no event.
 */
describe('test sign-ins of a tenant IdP connection', () => {
  let gw: SignInGateway;
  let acme: SignInTenant;
  let globex: SignInTenant;

  beforeAll(async () => {
    gw = await startSignInGateway({
      accounts: [
        { sub: '00u-ada', email: 'ada@acme.example', name: 'Ada Lovelace', groups: ['Engineering'] },
        { sub: '00u-bob', email: 'bob@umbrella.example', name: 'Bob <b>Builder</b>' },
        { sub: '00u-carol', email: 'carol@globex.example', name: 'Carol' },
      ],
    });
    acme = await gw.tenant('acme');
    // Saved with a client secret the IdP does not know.
    globex = await gw.tenant('globex', { connection: { clientSecret: 'not-the-secret-the-idp-holds' } });
    await gw.admin.post('/admin/v1/tenants', { slug: 'initech', name: 'Initech' });
  });
  afterAll(async () => {
    await gw?.close();
  });

  const tests = (slug: string) => `/admin/v1/tenants/${slug}/oidc/test-sign-ins`;
  const traces = async (tenantId: string) => ({
    users: (await gw.db.query(`SELECT id FROM users WHERE tenant_id = $1`, [tenantId])).length,
    events: (await gw.db.query(`SELECT id FROM outbox_events WHERE tenant_id = $1`, [tenantId])).length,
  });
  function expectTestPage(page: BrowserResponse, status: number, id: string): void {
    expect(page.status).toBe(status);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'none'; script-src 'self'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.body).toContain(`data-id="${id}"`);
    // One script, from the gateway itself: nothing inline.
    expect(page.body.match(/<script[^>]*>/g)).toEqual(['<script src="/auth/test-sign-in.js">']);
  }

  it('runs the sign-in at the IdP and shows the claims received, creating no user, session or event', async () => {
    const before = await traces(acme.id);
    const created = await gw.admin.post(tests('acme'));
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), url: expect.any(String) });
    const url = new URL(created.body.url);
    expect(url.origin + url.pathname).toBe(`${gw.publicUrl}/auth/login`);
    expect((await gw.admin.get(`${tests('acme')}/${created.body.id}`)).body).toEqual({ status: 'pending' });

    const browser = new HttpBrowser();
    const page = await gw.signIn(browser, created.body.url, 'ada@acme.example');
    expect(new URL(page.url).pathname).toBe('/auth/callback');
    expectTestPage(page, 200, created.body.id);
    expect(page.body).toContain('Test sign-in succeeded');
    expect(page.body).toContain('ada@acme.example');
    expect(page.body).toContain('Engineering');

    const result = await gw.admin.get(`${tests('acme')}/${created.body.id}`);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      status: 'succeeded',
      claims: expect.objectContaining({
        iss: gw.idp.issuer,
        sub: '00u-ada',
        aud: acme.clientId,
        email: 'ada@acme.example',
        name: 'Ada Lovelace',
        groups: ['Engineering'],
      }),
    });

    // Nothing of a sign-in happened at the gateway.
    expect(browser.cookies.get(gw.publicUrl, 'gw_session')).toBeUndefined();
    expect((await browser.get(`${gw.publicUrl}/auth/me`)).status).toBe(401);
    expect(await traces(acme.id)).toEqual(before);
  });

  it('starts with the saved connection and the normal redirect URI, once per link', async () => {
    const created = await gw.admin.post(tests('acme'));
    const browser = new HttpBrowser();
    const start = await browser.get(created.body.url);
    expect(start.status).toBe(302);
    const authorization = new URL(start.location!);
    expect(authorization.origin).toBe(gw.idp.origin);
    expect(authorization.searchParams.get('client_id')).toBe(acme.clientId);
    expect(authorization.searchParams.get('redirect_uri')).toBe(`${gw.publicUrl}/auth/callback`);
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    const again = await new HttpBrowser().get(created.body.url);
    expect(again.status).toBe(400);
    expect(again.body).toMatch(/expired or was already used/);
    expect((await browser.get(`${gw.publicUrl}/auth/login?test=forged`)).status).toBe(400);
  });

  it('escapes what the IdP sends', async () => {
    const tenant = await gw.tenant('umbrella');
    const created = await gw.admin.post(tests('umbrella'));
    const page = await gw.signIn(new HttpBrowser(), created.body.url, 'bob@umbrella.example');
    expectTestPage(page, 200, created.body.id);
    expect(page.body).toContain('Bob &#60;b&#62;Builder&#60;/b&#62;');
    expect(page.body).not.toContain('<b>Builder');
    expect(await traces(tenant.id)).toEqual({ users: 0, events: 0 });
  });

  it('fails with a clear reason when the IdP refuses the saved client secret', async () => {
    const created = await gw.admin.post(tests('globex'));
    const page = await gw.signIn(new HttpBrowser(), created.body.url, 'carol@globex.example');
    expectTestPage(page, 400, created.body.id);
    expect(page.body).toContain('Test sign-in failed');
    const result = await gw.admin.get(`${tests('globex')}/${created.body.id}`);
    expect(result.body).toEqual({
      status: 'failed',
      error: expect.stringMatching(/refused the client ID or client secret \(invalid_client\)/),
    });
    expect(await traces(globex.id)).toEqual({ users: 0, events: 0 });
  });

  it('fails with the IdP error when the IdP sends one back', async () => {
    const created = await gw.admin.post(tests('acme'));
    const browser = new HttpBrowser();
    const start = await browser.get(created.body.url);
    const state = new URL(start.location!).searchParams.get('state')!;
    const callback = new URL('/auth/callback', gw.publicUrl);
    callback.search = new URLSearchParams({
      error: 'access_denied',
      error_description: 'the user is not assigned to this app',
      state,
      iss: gw.idp.issuer,
    }).toString();
    const page = await browser.get(callback);
    expectTestPage(page, 400, created.body.id);
    const result = await gw.admin.get(`${tests('acme')}/${created.body.id}`);
    expect(result.body).toEqual({
      status: 'failed',
      error: expect.stringMatching(/did not sign you in: the user is not assigned to this app/),
    });
  });

  it('keeps results to their tenant, and answers 404 for unknown ids and tenants without a connection', async () => {
    const created = await gw.admin.post(tests('acme'));
    expect((await gw.admin.get(`${tests('globex')}/${created.body.id}`)).status).toBe(404);
    expect((await gw.admin.get(`${tests('acme')}/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await gw.admin.get(`${tests('acme')}/not-an-id`)).status).toBe(404);
    const none = await gw.admin.post(tests('initech'));
    expect(none.status).toBe(404);
    expect(none.body.error.message).toMatch(/no OIDC connection/);
    expect((await gw.admin.post(tests('nobody'))).status).toBe(404);
  });

  it("keeps each tenant's latest finished test as the proof that sign-in works, until the connection changes", async () => {
    const latest = (slug: string) => gw.admin.get(`${tests(slug)}/latest`);
    // Before any test finished: nothing to show. Without a connection, or without a tenant: 404 as well.
    const fresh = await gw.tenant('hooli');
    expect((await latest('hooli')).status).toBe(404);
    expect((await latest('initech')).status).toBe(404);
    expect((await latest('nobody')).status).toBe(404);
    // Started, not finished: still nothing.
    await gw.admin.post(tests('hooli'));
    expect((await latest('hooli')).status).toBe(404);

    const passed = await gw.admin.post(tests('acme'));
    await gw.signIn(new HttpBrowser(), passed.body.url, 'ada@acme.example');
    const proof = await latest('acme');
    expect(proof.status).toBe(200);
    expect(proof.body).toEqual({
      id: passed.body.id,
      status: 'succeeded',
      finishedAt: expect.any(String),
      current: true,
    });
    // Another tenant's latest is its own: globex's last test failed.
    expect((await latest('globex')).body).toEqual({
      id: expect.any(String),
      status: 'failed',
      error: expect.stringMatching(/invalid_client/),
      finishedAt: expect.any(String),
      current: true,
    });

    // The connection saved again: the proof was of the connection before.
    const saved = await gw.admin.put('/admin/v1/tenants/acme/oidc', {
      issuer: gw.idp.issuer,
      clientId: acme.clientId,
      clientSecret: acme.clientSecret,
      scopes: ['openid', 'profile', 'email', 'groups'],
      groupsClaim: 'groups',
    });
    expect(saved.status).toBe(200);
    expect((await latest('acme')).body).toMatchObject({ id: passed.body.id, status: 'succeeded', current: false });
    expect(await traces(fresh.id)).toEqual({ users: 0, events: 0 });
  });

  it('serves the result page script, which posts the test id to the portal that opened it', async () => {
    const script = await gw.oidc.inject({ method: 'GET', url: '/auth/test-sign-in.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect(script.body).toContain("type: 'gateway:test-sign-in'");
    expect(script.body).toContain('window.location.origin');
  });
});
