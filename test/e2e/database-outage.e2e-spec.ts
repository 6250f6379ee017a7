import { Writable } from 'node:stream';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ScimTokensService, TenantsService } from '@app/identity';
import { ResolvedConfig } from '@app/platform';
import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { createScimApp } from '../../apps/scim/src/create-scim-app';
import { adminRequests } from '../support/admin-requests';
import { HttpBrowser } from '../support/http-browser';
import { ERROR_SCHEMA } from '../support/scim-client';
import { TcpProxy } from '../support/tcp-proxy';
import { testConfig } from '../support/test-config';
import { TestDatabase, createTestDatabase } from '../support/test-database';
import { startTestIdp } from '../support/test-idp';

/**
 * PostgreSQL goes away under a running app (a loopback proxy in front of it is cut: open
 * connections die, new ones are refused): requests answer 503 with Retry-After, in the SCIM
 * error schema and in the admin API's `{error}`, never 500; when it is back, they succeed again.
 */
describe('a database outage', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let config: ResolvedConfig;
  let scim: NestFastifyApplication;
  let oidc: NestFastifyApplication;
  let scimToken: string;
  /** What the OIDC app logs (JSON lines). */
  const oidcLog: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const direct = new URL(db.url);
    proxy = new TcpProxy(direct.hostname, Number(direct.port || 5432));
    const proxied = new URL(db.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(await proxy.start());
    config = testConfig(proxied.toString());
    scim = await createScimApp(config);
    await scim.init();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        oidcLog.push(
          ...chunk
            .toString()
            .split('\n')
            .filter((line) => line !== ''),
        );
        done();
      },
    });
    oidc = await createOidcApp({ ...config, logLevel: 'info', logDestination: sink });
    await oidc.init();
    // Nest holds its own lines until the app listens; this one is only injected into.
    oidc.flushLogs();
    await scim.get(TenantsService).create({ slug: 'acme', name: 'Acme', domains: [], signIn: 'jit' });
    scimToken = (await scim.get(ScimTokensService).issue('acme', {})).token;
  });
  afterAll(async () => {
    await proxy.start().catch(() => undefined);
    await scim?.close();
    await oidc?.close();
    await proxy.stop();
    await db.drop();
  });

  const scimGet = async (url: string) => {
    const response = await scim.inject({ method: 'GET', url, headers: { authorization: `Bearer ${scimToken}` } });
    return { status: response.statusCode, headers: response.headers, body: JSON.parse(response.body) };
  };
  const admin = () => adminRequests(oidc, config.adminToken);

  it('answers as usual while the database is there', async () => {
    expect((await scimGet('/scim/v2/Users?count=1')).status).toBe(200);
    expect((await admin().get('/admin/v1/tenants')).status).toBe(200);
  });

  it('answers 503 with Retry-After while it is away, and recovers when it is back', async () => {
    await proxy.stop();
    // The token was checked a moment ago: both the authenticated lookup and a fresh query must fail cleanly.
    for (const url of ['/scim/v2/Users?count=1', '/scim/v2/Users?filter=userName%20eq%20%22a%40x%22']) {
      const response = await scimGet(url);
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
      expect(response.body).toEqual({
        schemas: [ERROR_SCHEMA],
        status: '503',
        detail: 'the database is unavailable; retry later',
      });
    }
    const listed = await admin().get('/admin/v1/tenants');
    expect(listed.status).toBe(503);
    expect(listed.headers['retry-after']).toBe('5');
    expect(listed.body).toEqual({
      error: {
        code: 'unavailable',
        message: 'the database is unavailable; try again shortly',
        requestId: expect.any(String),
      },
    });
    const created = await admin().post('/admin/v1/tenants', { slug: 'globex', name: 'Globex' });
    expect(created.status).toBe(503);

    await proxy.start();
    expect((await scimGet('/scim/v2/Users?count=1')).status).toBe(200);
    const after = await admin().get('/admin/v1/tenants');
    expect(after.status).toBe(200);
    // The tenant refused during the outage was not created.
    expect(JSON.stringify(after.body)).toContain('"slug":"acme"');
    expect(JSON.stringify(after.body)).not.toContain('globex');
  });

  describe('sign-in pages and the OpenID Provider', () => {
    const REDIRECT_URI = 'https://app.example.test/callback';
    let product: { clientId: string; clientSecret: string };

    beforeAll(async () => {
      const created = await admin().post('/admin/v1/clients', { name: 'Outage app', redirectUris: [REDIRECT_URI] });
      expect(created.status).toBe(201);
      product = created.body as { clientId: string; clientSecret: string };
      // The provider is built (its signing keys read) while the database is there: below, what fails
      // is the gateway's own reads inside it (the product client, the account, the gateway session).
      expect((await oidc.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).statusCode).toBe(200);
    });
    afterEach(async () => {
      // A test that failed half-way leaves the database reachable for the next.
      await proxy.stop();
      await proxy.start();
    });

    const authorizeUrl = () =>
      `/oidc/authorize?${new URLSearchParams({
        client_id: product.clientId,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: REDIRECT_URI,
        state: 'st-1',
      }).toString()}`;
    /** A sign-in for the product, begun while the database is there: its interaction page and cookie. */
    const startProductSignIn = async () => {
      const started = await oidc.inject({ method: 'GET', url: authorizeUrl() });
      expect(started.statusCode).toBe(303);
      const cookie = [started.headers['set-cookie']]
        .flat()
        .map((line) => String(line).split(';')[0])
        .join('; ');
      return { path: new URL(String(started.headers.location), 'https://x').pathname, cookie };
    };
    const logLines = (from: number) =>
      oidcLog.slice(from).map((line) => JSON.parse(line) as { level: number; context?: string; msg: string });
    const errorLines = (from: number) => logLines(from).filter((line) => line.level >= 50);
    /** A plain page: the sign-in pages' headers, the words a person needs, nothing of the fault. */
    const expectOutagePage = (response: { statusCode: number; headers: Record<string, unknown>; body: string }) => {
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['content-security-policy']).toContain("default-src 'none'");
      expect(response.body).toContain('Sign-in is briefly unavailable. Please try again shortly.');
      expect(response.body).not.toMatch(/ECONN|postgres|at \w+ \(|server_error|oops/i);
    };

    it('answers a sign-in start with a 503 page and Retry-After, starts nothing, and logs no error', async () => {
      const logged = oidcLog.length;
      await proxy.stop();
      const response = await oidc.inject({ method: 'GET', url: '/auth/login?tenant=acme' });
      expectOutagePage(response);
      expect(response.headers['set-cookie']).toBeUndefined();
      expect(errorLines(logged)).toEqual([]);
      expect(oidcLog.slice(logged).join('\n')).toContain('sign-in refused: Sign-in is briefly unavailable');

      await proxy.start();
      // Back: acme has no IdP connected, which is now what the page says.
      const after = await oidc.inject({ method: 'GET', url: '/auth/login?tenant=acme' });
      expect(after.statusCode).not.toBe(503);
      expect(after.statusCode).toBeLessThan(500);
    });

    it('answers a sign-in callback with a 503 page and Retry-After, and starts no session', async () => {
      const idp = await startTestIdp({ accounts: [{ sub: '00u-ann', email: 'ann@acme.example', name: 'Ann' }] });
      try {
        idp.registerClient({
          client_id: 'gateway-acme',
          client_secret: 'secret-acme-0123456789',
          redirect_uris: [`${config.publicUrl}/auth/callback`],
        });
        const connected = await admin().put('/admin/v1/tenants/acme/oidc', {
          issuer: idp.issuer,
          clientId: 'gateway-acme',
          clientSecret: 'secret-acme-0123456789',
        });
        expect(connected.status).toBe(200);
        // The gateway is only injected into: its pages are asked here, the IdP's through a browser.
        const started = await oidc.inject({ method: 'GET', url: '/auth/login?tenant=acme' });
        expect(started.statusCode).toBe(302);
        const attemptCookies = [started.headers['set-cookie']]
          .flat()
          .map((line) => String(line).split(';')[0])
          .join('; ');
        const browser = new HttpBrowser();
        const loginPage = await browser.open(String(started.headers.location));
        const back = await browser.follow(await browser.submitLoginForm(loginPage, 'ann@acme.example'), {
          stopAt: (next) => next.pathname === '/auth/callback',
        });
        const callback = new URL(back.location!);

        const logged = oidcLog.length;
        await proxy.stop();
        const response = await oidc.inject({
          method: 'GET',
          url: `${callback.pathname}${callback.search}`,
          headers: { cookie: attemptCookies },
        });
        expectOutagePage(response);
        expect(String(response.headers['set-cookie'] ?? '')).not.toMatch(/gw_session=[^;]/);
        expect(errorLines(logged)).toEqual([]);
      } finally {
        await proxy.start().catch(() => undefined);
        await idp.close();
      }
    });

    it("answers the provider's authorization endpoint with a 503 page and Retry-After, not server_error", async () => {
      const logged = oidcLog.length;
      await proxy.stop();
      const response = await oidc.inject({ method: 'GET', url: authorizeUrl(), headers: { accept: 'text/html' } });
      expectOutagePage(response);
      expect(errorLines(logged)).toEqual([]);
      await proxy.start();
      expect((await oidc.inject({ method: 'GET', url: authorizeUrl() })).statusCode).toBe(303);
    });

    it("answers the provider's token endpoint with 503 temporarily_unavailable and Retry-After", async () => {
      const logged = oidcLog.length;
      await proxy.stop();
      const response = await oidc.inject({
        method: 'POST',
        url: '/oidc/token',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${product.clientId}:${product.clientSecret}`).toString('base64')}`,
        },
        payload: 'grant_type=authorization_code&code=not-a-code&redirect_uri=' + encodeURIComponent(REDIRECT_URI),
      });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(JSON.parse(response.body)).toEqual({
        error: 'temporarily_unavailable',
        error_description: 'the service is briefly unavailable; try again shortly',
      });
      expect(errorLines(logged)).toEqual([]);
      // Said by the gateway's own read inside the provider (the client's), once, as a warning.
      expect(logLines(logged)).toContainEqual(
        expect.objectContaining({ level: 40, context: 'ProductProvider', msg: 'the database is unavailable' }),
      );
    });

    it('answers a product sign-in in progress with a 503 page, and the same page works when the database is back', async () => {
      const { path, cookie } = await startProductSignIn();
      const logged = oidcLog.length;
      await proxy.stop();
      const paused = await oidc.inject({ method: 'GET', url: path, headers: { cookie } });
      expectOutagePage(paused);
      expect(errorLines(logged)).toEqual([]);

      await proxy.start();
      const resumed = await oidc.inject({ method: 'GET', url: path, headers: { cookie } });
      // No session and no organization yet: the page that asks for the work email.
      expect(resumed.statusCode).toBe(200);
      expect(resumed.body).toContain('Enter your work email');
    });
  });
});
