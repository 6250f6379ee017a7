import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { adminRequests } from '../support/admin-requests';
import { HttpBrowser, type BrowserResponse } from '../support/http-browser';
import { SignInGateway, startSignInGateway } from '../support/sign-in-gateway';
import { TestApp, startTestApp } from '../support/test-app';
import { TestIdp, TestIdpAccount, startTestIdp } from '../support/test-idp';

const ACCOUNTS: TestIdpAccount[] = [
  { sub: '00u-ada', email: 'ada@acme.example', name: 'Ada Lovelace' },
  { sub: '00u-ian', email: 'ian@initech.example', name: 'Ian' },
];

const VIEW_KEYS = [
  'allowedReturnUrls',
  'clientId',
  'externalIdClaim',
  'groupsClaim',
  'issuer',
  'postLogoutRedirectUri',
  'scopes',
  'tokenEndpointAuthMethod',
  'updatedAt',
];

describe('OIDC connections: the admin API and sign-in through them', () => {
  let gw: SignInGateway;

  beforeAll(async () => {
    gw = await startSignInGateway({ accounts: ACCOUNTS });
  });
  afterAll(() => gw?.close());

  const connectionUrl = (slug: string) => `/admin/v1/tenants/${slug}/oidc`;
  const loginUrl = (slug: string, returnTo = `https://app.${slug}.example/home`) =>
    `${gw.publicUrl}/auth/login?tenant=${slug}&return_to=${encodeURIComponent(returnTo)}`;

  /** A client for the gateway registered at `idp`, as the tenant's Okta admin would create it. */
  function registerClient(idp: TestIdp, clientId: string): { clientId: string; clientSecret: string } {
    const clientSecret = `secret-${clientId}-${Math.random().toString(36).slice(2)}`;
    idp.registerClient({
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [`${gw.publicUrl}/auth/callback`],
    });
    return { clientId, clientSecret };
  }

  /** A tenant with no connection yet. */
  async function bareTenant(slug: string): Promise<void> {
    expect((await gw.admin.post('/admin/v1/tenants', { slug, name: slug })).status).toBe(201);
  }

  /** Signs in through `idp`'s login form and follows the redirects back to the gateway's last answer. */
  async function signInThrough(idp: TestIdp, browser: HttpBrowser, url: string, login: string) {
    const loginPage = await browser.open(url);
    expect(loginPage.url.startsWith(idp.origin)).toBe(true);
    return browser.follow(await browser.submitLoginForm(loginPage, login), {
      stopAt: (next) => next.origin !== gw.publicUrl && next.origin !== idp.origin,
    });
  }

  /** Runs a sign-in up to the IdP's redirect back, without letting the gateway see it. */
  async function untilCallback(browser: HttpBrowser, url: string, login: string): Promise<URL> {
    const loginPage = await browser.open(url);
    const back = await browser.follow(await browser.submitLoginForm(loginPage, login), {
      stopAt: (next) => next.pathname === '/auth/callback',
    });
    return new URL(back.location!);
  }

  async function me(browser: HttpBrowser): Promise<{ status: number; body: any }> {
    const response = await browser.get(`${gw.publicUrl}/auth/me`);
    return { status: response.status, body: JSON.parse(response.body) };
  }

  function expectErrorPage(page: BrowserResponse, status: number, text: RegExp): void {
    expect(page.status).toBe(status);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.body).toMatch(text);
    expect(page.body).toMatch(/Reference: <code>[^<]+<\/code>/);
    expect(page.body).not.toMatch(/\bat .+\.[jt]s:\d+/); // no stack trace
  }

  const versionOf = async (slug: string): Promise<number> =>
    (
      await gw.db.query<{ version: number }>(
        `SELECT c.version FROM oidc_connections c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = $1`,
        [slug],
      )
    )[0].version;

  describe('PUT and GET', () => {
    let secret: string;
    let view: Record<string, unknown>;

    beforeAll(async () => {
      await bareTenant('acme');
      ({ clientSecret: secret } = registerClient(gw.idp, 'gateway-acme'));
    });

    it('checks the issuer, stores the connection with defaults, and never returns the secret', async () => {
      const put = await gw.admin.put(connectionUrl('acme'), {
        // Okta admins often paste the issuer with a trailing slash; openid-client compares it exactly.
        issuer: `${gw.idp.issuer}/`,
        clientId: 'gateway-acme',
        clientSecret: secret,
        allowedReturnUrls: ['https://app.acme.example/home'],
      });
      expect(put.status).toBe(200);
      view = put.body;
      expect(Object.keys(view).sort()).toEqual(VIEW_KEYS);
      expect(view).toEqual({
        issuer: gw.idp.issuer,
        clientId: 'gateway-acme',
        tokenEndpointAuthMethod: 'client_secret_basic',
        scopes: ['openid', 'profile', 'email'],
        groupsClaim: null,
        externalIdClaim: 'sub',
        postLogoutRedirectUri: null,
        allowedReturnUrls: ['https://app.acme.example/home'],
        updatedAt: expect.any(String),
      });
      expect(new Date(view.updatedAt as string).getTime()).toBeGreaterThan(Date.now() - 60_000);
      expect(JSON.stringify(put.body)).not.toContain(secret);

      const get = await gw.admin.get(connectionUrl('acme'));
      expect(get.status).toBe(200);
      expect(get.body).toEqual(view);
      expect(JSON.stringify(get.body)).not.toContain(secret);
    });

    it('stores the secret sealed: the column does not hold the plaintext', async () => {
      const [row] = await gw.db.query<{ client_secret_sealed: Buffer }>(
        `SELECT c.client_secret_sealed FROM oidc_connections c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'acme'`,
      );
      expect(Buffer.isBuffer(row.client_secret_sealed)).toBe(true);
      expect(row.client_secret_sealed.includes(Buffer.from(secret, 'utf8'))).toBe(false);
      expect(row.client_secret_sealed.toString('latin1')).not.toContain(secret);
      expect(row.client_secret_sealed.toString('base64')).not.toContain(Buffer.from(secret).toString('base64'));
    });

    it('signs in through an IdP at the root of its origin (Okta org authorization server)', async () => {
      const browser = new HttpBrowser();
      const done = await signInThrough(gw.idp, browser, loginUrl('acme'), 'ada@acme.example');
      expect(done.status).toBe(302);
      expect(done.location).toBe('https://app.acme.example/home');
      expect((await me(browser)).body.user).toMatchObject({ tenant: 'acme', email: 'ada@acme.example' });
    });

    it('signs in through an issuer with a path (Okta custom authorization server /oauth2/default)', async () => {
      const custom = await startTestIdp({ path: '/oauth2/default', accounts: ACCOUNTS });
      try {
        expect(custom.issuer).toMatch(/\/oauth2\/default$/);
        await bareTenant('custom');
        const client = registerClient(custom, 'gateway-custom');
        const put = await gw.admin.put(connectionUrl('custom'), {
          issuer: `${custom.issuer}/`,
          ...client,
          allowedReturnUrls: ['https://app.custom.example/home'],
        });
        expect(put.status).toBe(200);
        expect(put.body.issuer).toBe(custom.issuer);

        const browser = new HttpBrowser();
        const start = await browser.get(loginUrl('custom'));
        expect(start.location).toMatch(new RegExp(`^${custom.issuer}/`));
        const done = await signInThrough(custom, browser, loginUrl('custom'), 'ada@acme.example');
        expect(done.location).toBe('https://app.custom.example/home');
        expect((await me(browser)).body.user).toMatchObject({ tenant: 'custom', email: 'ada@acme.example' });
        expect(custom.tokenRequests().map((request) => request.status)).toContain(200);
      } finally {
        await custom.close();
      }
    });

    it('keeps the chosen scopes (once each), groups claim, logout URL and client authentication', async () => {
      await bareTenant('options');
      const client = registerClient(gw.idp, 'gateway-options');
      const put = await gw.admin.put(connectionUrl('options'), {
        issuer: gw.idp.issuer,
        ...client,
        scopes: ['openid', 'groups', 'openid', 'email'],
        groupsClaim: 'groups',
        postLogoutRedirectUri: 'https://www.options.example/bye',
        allowedReturnUrls: ['https://app.options.example/a', 'https://app.options.example/a'],
        tokenEndpointAuthMethod: 'client_secret_post',
      });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({
        scopes: ['openid', 'groups', 'email'],
        groupsClaim: 'groups',
        postLogoutRedirectUri: 'https://www.options.example/bye',
        allowedReturnUrls: ['https://app.options.example/a'],
        tokenEndpointAuthMethod: 'client_secret_post',
      });
      expect((await gw.admin.get(connectionUrl('options'))).body).toEqual(put.body);
    });

    it('does not open a sealed secret copied to another tenant, and shows a page without details', async () => {
      await gw.tenant('copycat');
      await gw.db.query(
        `UPDATE oidc_connections
            SET client_secret_sealed = (SELECT c.client_secret_sealed FROM oidc_connections c
                                          JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'acme')
          WHERE tenant_id = (SELECT id FROM tenants WHERE slug = 'copycat')`,
      );
      const browser = new HttpBrowser();
      const page = await browser.get(loginUrl('copycat'));
      expect(page.location).toBeUndefined();
      // The gateway's own data is at fault, not the person: a 503 page that names nothing inside.
      expectErrorPage(page, 503, /misconfigured\. Please tell your administrator/);
      expect(page.body).not.toContain(secret);
      expect(page.body).not.toMatch(/SecretBox|sealed|decipher/i);
      expect(browser.cookies.cookies(new URL(gw.publicUrl)).map((cookie) => cookie.name)).not.toContainEqual(
        expect.stringMatching(/^gw_sign_in_/),
      );

      // The operator still sees the connection (the secret is never shown, so never opened for it).
      const get = await gw.admin.get(connectionUrl('copycat'));
      expect(get.status).toBe(200);
      expect(JSON.stringify(get.body)).not.toContain(secret);

      // Putting the connection again seals the secret for this tenant, and sign-in works again.
      const copycat = registerClient(gw.idp, 'gateway-copycat-again');
      const repaired = await gw.admin.put(connectionUrl('copycat'), { issuer: gw.idp.issuer, ...copycat });
      expect(repaired.status).toBe(200);
      expect((await new HttpBrowser().get(`${gw.publicUrl}/auth/login?tenant=copycat`)).status).toBe(302);
    });
  });

  describe('an issuer that cannot be used is 422, and the previous connection stays', () => {
    let client: { clientId: string; clientSecret: string };
    let before: unknown;
    let fake: FakeDiscovery;

    beforeAll(async () => {
      await bareTenant('wayne');
      client = registerClient(gw.idp, 'gateway-wayne');
      const put = await gw.admin.put(connectionUrl('wayne'), { issuer: gw.idp.issuer, ...client });
      expect(put.status).toBe(200);
      before = put.body;
      fake = await startFakeDiscovery();
    });
    afterAll(() => fake?.close());

    async function expectRefused(body: Record<string, unknown>, reason: RegExp): Promise<void> {
      const version = await versionOf('wayne');
      const put = await gw.admin.put(connectionUrl('wayne'), { ...client, ...body });
      expect(put.status).toBe(422);
      expect(put.body).toEqual({ error: { code: 'unprocessable', message: expect.any(String) } });
      expect(put.body.error.message).toMatch(reason);
      expect(JSON.stringify(put.body)).not.toContain(client.clientSecret);
      expect((await gw.admin.get(connectionUrl('wayne'))).body).toEqual(before);
      expect(await versionOf('wayne')).toBe(version);
    }

    it('refuses an issuer whose discovery document is not found', async () => {
      await expectRefused({ issuer: gw.idp.brokenIssuer }, /discovery of .*\/nope failed: .*\(HTTP 404\)/);
    });

    it('refuses an issuer where nothing listens', async () => {
      const port = await closedPort();
      await expectRefused(
        { issuer: `http://127.0.0.1:${port}` },
        new RegExp(`discovery of http://127\\.0\\.0\\.1:${port} failed: .*ECONNREFUSED`),
      );
    });

    it('refuses a discovery document that names another issuer', async () => {
      // Same server, another name: the document says http://127.0.0.1:PORT.
      await expectRefused(
        { issuer: `http://localhost:${gw.idp.port}` },
        /discovery of http:\/\/localhost:\d+ failed: .*issuer/,
      );
    });

    it.each([
      [
        'a client authentication it does not list',
        { token_endpoint_auth_methods_supported: ['private_key_jwt'] },
        /does not accept client_secret_basic/,
      ],
      ['no authorization code flow', { response_types_supported: ['id_token'] }, /authorization code flow/],
      ['no PKCE with S256', { code_challenge_methods_supported: ['plain'] }, /PKCE with S256/],
      ['no JWKS', { jwks_uri: undefined }, /lacks jwks_uri/],
    ])('refuses a provider with %s', async (_case, metadata, reason) => {
      await expectRefused({ issuer: fake.issuer(metadata) }, reason);
    });

    it('refuses client_secret_post where the provider lists only client_secret_basic', async () => {
      const issuer = fake.issuer({ token_endpoint_auth_methods_supported: ['client_secret_basic'] });
      await expectRefused(
        { issuer, tokenEndpointAuthMethod: 'client_secret_post' },
        /does not accept client_secret_post .*\(it accepts client_secret_basic\)/,
      );
    });

    it('accepts the same fake provider when it is usable (the checks above are the only difference)', async () => {
      await bareTenant('wayne-fake');
      const put = await gw.admin.put(connectionUrl('wayne-fake'), { issuer: fake.issuer({}), ...client });
      expect(put.status).toBe(200);
    });
  });

  describe('an http:// issuer where ALLOW_HTTP_ISSUERS is off', () => {
    let strict: TestApp;

    beforeAll(async () => {
      strict = await startTestApp(createOidcApp, { allowHttpIssuers: false });
    });
    afterAll(() => strict?.close());

    it('is 422 and fetches nothing', async () => {
      const admin = adminRequests(strict.app, strict.config.adminToken);
      expect((await admin.post('/admin/v1/tenants', { slug: 'strict', name: 'Strict' })).status).toBe(201);
      const requests = gw.idp.requests.length;
      const put = await admin.put(connectionUrl('strict'), {
        issuer: gw.idp.issuer,
        clientId: 'gateway-strict',
        clientSecret: 'secret',
      });
      expect(put.status).toBe(422);
      expect(put.body.error).toEqual({
        code: 'unprocessable',
        message: expect.stringMatching(/https:\/\/.*ALLOW_HTTP_ISSUERS/),
      });
      expect(gw.idp.requests).toHaveLength(requests);
      expect((await admin.get(connectionUrl('strict'))).status).toBe(404);
    });
  });

  describe('bad requests are 400 and change nothing', () => {
    let good: Record<string, unknown>;
    let before: unknown;

    beforeAll(async () => {
      await bareTenant('globex');
      const client = registerClient(gw.idp, 'gateway-globex');
      good = { issuer: gw.idp.issuer, ...client };
      const put = await gw.admin.put(connectionUrl('globex'), good);
      expect(put.status).toBe(200);
      before = put.body;
    });

    const without = (field: string) => (body: Record<string, unknown>) => {
      const copy = { ...body };
      delete copy[field];
      return copy;
    };
    const withValues = (values: Record<string, unknown>) => (body: Record<string, unknown>) => ({ ...body, ...values });
    const urls = (count: number) => Array.from({ length: count }, (_, i) => `https://app.globex.example/${i}`);

    it.each<[string, (body: Record<string, unknown>) => unknown, string]>([
      ['no issuer', without('issuer'), 'issuer'],
      ['no clientId', without('clientId'), 'clientId'],
      ['no clientSecret', without('clientSecret'), 'clientSecret'],
      ['a numeric issuer', withValues({ issuer: 42 }), 'issuer'],
      ['a numeric clientId', withValues({ clientId: 42 }), 'clientId'],
      ['a clientSecret that is a list', withValues({ clientSecret: ['s'] }), 'clientSecret'],
      ['an empty clientId', withValues({ clientId: '  ' }), 'clientId'],
      ['scopes as a string', withValues({ scopes: 'openid profile' }), 'scopes'],
      ['scopes without openid', withValues({ scopes: ['profile', 'email'] }), 'scopes'],
      ['a scope that is not a string', withValues({ scopes: ['openid', 7] }), 'scopes.1'],
      ['a scope with a space', withValues({ scopes: ['openid', 'a b'] }), 'scopes.1'],
      ['a return URL that is not one', withValues({ allowedReturnUrls: ['not a url'] }), 'allowedReturnUrls.0'],
      ['a javascript: return URL', withValues({ allowedReturnUrls: ['javascript:alert(1)'] }), 'allowedReturnUrls.0'],
      [
        'a logout URL that is not http(s)',
        withValues({ postLogoutRedirectUri: 'ftp://files.example/' }),
        'postLogoutRedirectUri',
      ],
      ['a logout URL that is a number', withValues({ postLogoutRedirectUri: 5 }), 'postLogoutRedirectUri'],
      ['an issuer with a query string', (body) => ({ ...body, issuer: `${String(body.issuer)}?tenant=1` }), 'issuer'],
      ['an issuer with a fragment', (body) => ({ ...body, issuer: `${String(body.issuer)}#x` }), 'issuer'],
      ['an issuer that is not http(s)', withValues({ issuer: 'ftp://idp.example' }), 'issuer'],
      ['an unknown field', withValues({ clientSecretId: 'x' }), 'clientSecretId'],
      ['an unknown auth method', withValues({ tokenEndpointAuthMethod: 'private_key_jwt' }), 'tokenEndpointAuthMethod'],
      ['an empty groups claim', withValues({ groupsClaim: '' }), 'groupsClaim'],
      ['101 return URLs', withValues({ allowedReturnUrls: urls(101) }), 'allowedReturnUrls'],
      ['51 scopes', withValues({ scopes: ['openid', ...Array.from({ length: 50 }, (_, i) => `s${i}`)] }), 'scopes'],
      ['a list instead of an object', (body) => [body], ''],
    ])('refuses %s, naming the field', async (_case, change, field) => {
      const requests = gw.idp.requests.length;
      const put = await gw.admin.put(connectionUrl('globex'), change(good));
      expect(put.status).toBe(400);
      expect(put.body).toEqual({ error: { code: 'invalid_request', message: expect.any(String) } });
      expect(put.body.error.message).toContain(field);
      expect(JSON.stringify(put.body)).not.toContain(String(good.clientSecret));
      // Refused before discovery: the IdP was not asked.
      expect(gw.idp.requests).toHaveLength(requests);
      expect((await gw.admin.get(connectionUrl('globex'))).body).toEqual(before);
    });

    it('refuses a body that is not JSON', async () => {
      const put = await gw.admin.send('PUT', connectionUrl('globex'), '{"issuer":', {
        authorization: `Bearer ${gw.config.adminToken}`,
        'content-type': 'application/json',
      });
      expect(put.status).toBe(400);
      expect((await gw.admin.get(connectionUrl('globex'))).body).toEqual(before);
    });

    it('answers 404 for an unknown tenant, whatever the method', async () => {
      for (const response of [
        await gw.admin.put(connectionUrl('nobody'), good),
        await gw.admin.get(connectionUrl('nobody')),
        await gw.admin.delete(connectionUrl('nobody')),
      ]) {
        expect(response.status).toBe(404);
        expect(response.body.error.code).toBe('not_found');
      }
    });

    it.each([
      ['no Authorization header', {}],
      ['a wrong token', { authorization: 'Bearer gwa_not-the-admin-token-000000' }],
    ])('answers 401 to %s, whatever the method', async (_case, headers: Record<string, string>) => {
      for (const method of ['PUT', 'GET', 'DELETE'] as const) {
        const body = method === 'PUT' ? { ...good, clientId: 'sneaky' } : undefined;
        const response = await gw.admin.send(method, connectionUrl('globex'), body, {
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...headers,
        });
        expect(response.status).toBe(401);
        expect(response.body.error.code).toBe('unauthorized');
      }
      expect((await gw.admin.get(connectionUrl('globex'))).body).toEqual(before);
    });
  });

  describe('a changed connection', () => {
    it('takes effect at the next sign-in, and a sign-in started before the change is refused', async () => {
      await bareTenant('initech');
      const first = registerClient(gw.idp, 'gateway-initech-1');
      const connection = { issuer: gw.idp.issuer, allowedReturnUrls: ['https://app.initech.example/home'] };
      expect((await gw.admin.put(connectionUrl('initech'), { ...connection, ...first })).status).toBe(200);

      // Started (and cached by the gateway) under the first client.
      const early = new HttpBrowser();
      const earlyStart = await early.get(loginUrl('initech'));
      expect(new URL(earlyStart.location!).searchParams.get('client_id')).toBe(first.clientId);
      const earlyCallback = await untilCallback(early, loginUrl('initech'), 'ian@initech.example');

      const second = registerClient(gw.idp, 'gateway-initech-2');
      const put = await gw.admin.put(connectionUrl('initech'), { ...connection, ...second });
      expect(put.status).toBe(200);
      expect(put.body.clientId).toBe(second.clientId);

      const browser = new HttpBrowser();
      const start = await browser.get(loginUrl('initech'));
      expect(new URL(start.location!).searchParams.get('client_id')).toBe(second.clientId);
      const done = await signInThrough(gw.idp, browser, loginUrl('initech'), 'ian@initech.example');
      expect(done.location).toBe('https://app.initech.example/home');
      expect((await me(browser)).body.user).toMatchObject({ tenant: 'initech', email: 'ian@initech.example' });

      const tokenRequests = gw.idp.tokenRequests().length;
      const late = await early.get(earlyCallback);
      expectErrorPage(late, 400, /Sign-in settings changed while you were signing in/);
      expect(early.cookies.get(gw.publicUrl, 'gw_session')).toBeUndefined();
      // Refused before the code was redeemed with either client.
      expect(gw.idp.tokenRequests()).toHaveLength(tokenRequests);
    });
  });

  describe('DELETE', () => {
    it('removes the connection: 204, then 404, and sign-in says it is not set up', async () => {
      const umbrella = await gw.tenant('umbrella');
      // A login first, so the app holds the connection's client configuration.
      const before = await new HttpBrowser().get(loginUrl('umbrella'));
      expect(new URL(before.location!).searchParams.get('client_id')).toBe(umbrella.clientId);
      const deleted = await gw.admin.delete(connectionUrl('umbrella'));
      expect(deleted.status).toBe(204);
      expect(deleted.body).toBeUndefined();

      const get = await gw.admin.get(connectionUrl('umbrella'));
      expect(get.status).toBe(404);
      expect(get.body.error).toEqual({ code: 'not_found', message: expect.stringContaining('umbrella') });

      const page = await new HttpBrowser().get(loginUrl('umbrella'));
      expectErrorPage(page, 404, /Sign-in is not set up for umbrella yet/);

      expect((await gw.admin.delete(connectionUrl('umbrella'))).status).toBe(404);
      // The tenant itself stays.
      expect((await gw.admin.get('/admin/v1/tenants/umbrella')).status).toBe(200);

      // Set again with another client, the connection is new to every cache: never the old client.
      const replacement = registerClient(gw.idp, 'gateway-umbrella-replacement');
      const again = await gw.admin.put(connectionUrl('umbrella'), {
        issuer: gw.idp.issuer,
        ...replacement,
        allowedReturnUrls: ['https://app.umbrella.example/home'],
      });
      expect(again.status).toBe(200);
      const after = await new HttpBrowser().get(loginUrl('umbrella'));
      expect(new URL(after.location!).searchParams.get('client_id')).toBe(replacement.clientId);
    });
  });

  describe('an IdP that goes down after the connection was saved', () => {
    it('starts sign-in from the pinned document, and shows a 502 page at a callback whose code can no longer be redeemed', async () => {
      const fragile = await startTestIdp({ accounts: ACCOUNTS });
      let closed = false;
      try {
        await bareTenant('hooli');
        await bareTenant('pied-piper');
        for (const slug of ['hooli', 'pied-piper']) {
          const put = await gw.admin.put(connectionUrl(slug), {
            issuer: fragile.issuer,
            ...registerClient(fragile, `gateway-${slug}`),
            allowedReturnUrls: [`https://app.${slug}.example/home`],
          });
          expect(put.status).toBe(200);
        }
        // Hooli's sign-in reaches the IdP (its configuration is now cached) and comes back after the outage.
        const browser = new HttpBrowser();
        const callback = await untilCallback(browser, loginUrl('hooli'), 'ada@acme.example');

        await fragile.close();
        closed = true;

        // Pied Piper's sign-in starts from the document pinned when it was saved: nothing is fetched,
        // and the browser is sent to the IdP's authorization endpoint (where it finds the IdP down).
        const connectionsBefore = fragile.connections();
        const login = await new HttpBrowser().get(loginUrl('pied-piper'));
        expect(login.status).toBe(302);
        expect(login.location!.startsWith(`${fragile.issuer}/`)).toBe(true);
        expect(fragile.connections()).toBe(connectionsBefore);

        // The code cannot be redeemed: an error page and no session.
        const late = await browser.get(callback);
        expectErrorPage(late, 502, /could not be reached/);
        expect(browser.cookies.get(gw.publicUrl, 'gw_session')).toBeUndefined();
      } finally {
        if (!closed) await fragile.close();
      }
    });
  });
});

/** Serves discovery documents that differ from a usable provider by what the issuer's path says. */
interface FakeDiscovery {
  /** An issuer whose document is a usable provider's, with `metadata` merged over it. */
  issuer(metadata: Record<string, unknown>): string;
  close(): Promise<void>;
}

async function startFakeDiscovery(): Promise<FakeDiscovery> {
  const documents = new Map<string, Record<string, unknown>>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const document = documents.get(path.replace(/\/\.well-known\/openid-configuration$/, ''));
    if (!document || !path.endsWith('/.well-known/openid-configuration')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer(metadata) {
      const path = `/provider-${documents.size}`;
      const issuer = `${origin}${path}`;
      documents.set(path, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        ...metadata,
      });
      return issuer;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
