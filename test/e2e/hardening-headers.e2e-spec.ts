import { existsSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { UsersService } from '@app/identity';
import { SECURITY_HEADERS } from '@app/platform';
import { chromium } from 'playwright-core';
import { QUEUE_BOARD_PATH } from '../../apps/oidc/src/admin/queue-board';
import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { SessionStore } from '../../apps/oidc/src/sessions/session-store';
import { AUTH_COOKIES } from '../../apps/oidc/src/sign-in/auth-cookies.provider';
import type { AuthCookies } from '../../apps/oidc/src/sign-in/cookies';
import { createScimApp } from '../../apps/scim/src/create-scim-app';
import { createWorkerApp } from '../../apps/worker/src/create-worker-app';
import { adminRequests } from '../support/admin-requests';
import { createScimTenant } from '../support/scim-client';
import { TestApp, startTestApp } from '../support/test-app';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** PUBLIC_URL of the test configuration. */
const PUBLIC_ORIGIN = 'https://login.gateway.test';

type Inject = TestApp['app']['inject'];

function expectSecurityHeaders(headers: Record<string, unknown>, what: string): void {
  expect({ what, nosniff: headers['x-content-type-options'], referrer: headers['referrer-policy'] }).toEqual({
    what,
    nosniff: 'nosniff',
    referrer: SECURITY_HEADERS['referrer-policy'],
  });
}

describe('headers and surfaces', () => {
  let scim: TestApp;
  let oidc: TestApp;
  let worker: TestApp;
  let admin: ReturnType<typeof adminRequests>;
  let scimToken: string;

  beforeAll(async () => {
    [scim, oidc, worker] = await Promise.all([
      startTestApp(createScimApp),
      startTestApp(createOidcApp),
      startTestApp(createWorkerApp),
    ]);
    admin = adminRequests(oidc.app, oidc.config.adminToken);
    scimToken = (await createScimTenant(scim, 'acme')).token;
  });
  afterAll(async () => {
    await Promise.all([scim?.close(), oidc?.close(), worker?.close()]);
  });

  describe('every response of every app says nosniff and its referrer policy', () => {
    /** What to ask which app: built when the test runs, once the apps exist. */
    const requests: [string, () => [TestApp, Parameters<Inject>[0]]][] = [
      ['SCIM list', () => [scim, { url: '/scim/v2/Users', headers: { authorization: `Bearer ${scimToken}` } }]],
      ['SCIM 401', () => [scim, { url: '/scim/v2/Users' }]],
      ['SCIM 404', () => [scim, { url: '/scim/v2/Nothing', headers: { authorization: `Bearer ${scimToken}` } }]],
      [
        'SCIM 400 for a broken body',
        () => [
          scim,
          {
            method: 'POST',
            url: '/scim/v2/Users',
            payload: '{',
            headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' },
          },
        ],
      ],
      ['SCIM probe', () => [scim, { url: '/health/live' }]],
      [
        'admin list',
        () => [oidc, { url: '/admin/v1/tenants', headers: { authorization: `Bearer ${oidc.config.adminToken}` } }],
      ],
      ['admin 401', () => [oidc, { url: '/admin/v1/tenants' }]],
      ['sign-in page', () => [oidc, { url: '/auth/login' }]],
      ['session 401', () => [oidc, { url: '/auth/me' }]],
      [
        'OpenID Provider discovery (answered by the provider itself)',
        () => [oidc, { url: '/.well-known/openid-configuration' }],
      ],
      ['JWKS', () => [oidc, { url: '/.well-known/jwks.json' }]],
      ['Bull Board 401', () => [oidc, { url: QUEUE_BOARD_PATH }]],
      ['OIDC app metrics', () => [oidc, { url: '/metrics' }]],
      ['no such route', () => [oidc, { url: '/nothing-here' }]],
      ['worker live', () => [worker, { url: '/health/live' }]],
      ['worker metrics', () => [worker, { url: '/metrics' }]],
    ];

    it.each(requests)('%s', async (what, target) => {
      const [app, request] = target();
      const response = await app.app.inject(request);
      expect(response.statusCode).toBeGreaterThanOrEqual(200);
      expectSecurityHeaders(response.headers, what);
    });
  });

  describe('Bull Board', () => {
    const basic = () => `Basic ${Buffer.from(`ops:${oidc.config.adminToken}`).toString('base64')}`;

    it('is sent with a CSP and frame denial', async () => {
      const response = await oidc.app.inject({ url: QUEUE_BOARD_PATH, headers: { authorization: basic() } });
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-frame-options']).toBe('DENY');
      const csp = String(response.headers['content-security-policy']);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("default-src 'self'");
    });

    it('still renders in Chromium under that CSP, with no violation', async () => {
      if (!existsSync(CHROMIUM))
        throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
      await oidc.app.listen(0, '127.0.0.1');
      const origin = `http://127.0.0.1:${(oidc.app.getHttpServer().address() as AddressInfo).port}`;
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
      });
      try {
        const context = await browser.newContext({
          httpCredentials: { username: 'ops', password: oidc.config.adminToken },
        });
        const page = await context.newPage();
        const violations: string[] = [];
        page.on('console', (message) => {
          if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
        });
        const scriptErrors: string[] = [];
        page.on('pageerror', (error) => scriptErrors.push(error.message));
        const response = await page.goto(`${origin}${QUEUE_BOARD_PATH}`);
        expect(response?.status()).toBe(200);
        // The board's own script renders the queues (their names come from its API).
        await page.waitForSelector('text=gateway-fan-out', { timeout: 30_000 }).catch(async (error: Error) => {
          throw new Error(`the board did not render: ${error.message}\n${(await page.content()).slice(0, 2000)}`);
        });
        expect(await page.title()).toBe('Identity gateway queues');
        // Only the blocked third-party font stylesheet may be reported; nothing of the board's own.
        expect(violations.filter((text) => !text.includes('fonts.googleapis.com'))).toEqual([]);
        expect(scriptErrors).toEqual([]);
      } finally {
        await browser.close();
      }
    });
  });

  describe('POST /auth/logout', () => {
    let cookieName: string;
    let tenantId: string;
    let users = 0;

    /** A session of a new user, as a sign-in leaves it: the cookie's token. */
    const signedIn = async (): Promise<string> => {
      const user = await oidc.app
        .get(UsersService)
        .create({ tenantId, tenantSlug: 'acme', tokenId: 'none' }, { userName: `user${++users}@acme.test` });
      const sessions = oidc.app.get(SessionStore);
      const { token } = await sessions.create({ tenantId, tenantSlug: 'acme', userId: user.id, idToken: 'none' });
      return token;
    };
    const isLive = async (token: string) => (await oidc.app.get(SessionStore).get(token)) !== undefined;
    const logout = (token: string, headers: Record<string, string>) =>
      oidc.app.inject({
        method: 'POST',
        url: '/auth/logout',
        headers: { cookie: `${cookieName}=${token}`, ...headers },
      });

    beforeAll(async () => {
      cookieName = oidc.app.get<AuthCookies>(AUTH_COOKIES).session;
      const created = await admin.post('/admin/v1/tenants', { slug: 'acme', name: 'Acme' });
      expect(created.status).toBe(201);
      tenantId = created.body.id as string;
    });

    it.each([
      ['from another site (Fetch Metadata)', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }],
      ['from another site (Origin only)', { origin: 'https://evil.example' }],
      ['from a sibling site', { 'sec-fetch-site': 'same-site', origin: 'https://app.gateway.test' }],
      ['with neither header (no browser posts so)', {}],
      ['from an opaque origin', { origin: 'null' }],
    ])('refuses a logout %s with 403, and the session lives on', async (_case, headers: Record<string, string>) => {
      const token = await signedIn();
      const response = await logout(token, headers);
      expect(response.statusCode).toBe(403);
      expect(JSON.parse(response.body)).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
      expect(await isLive(token)).toBe(true);
    });

    it.each([
      ['Sec-Fetch-Site: same-origin', { 'sec-fetch-site': 'same-origin', origin: PUBLIC_ORIGIN }],
      ['Origin ours (an older browser)', { origin: PUBLIC_ORIGIN }],
    ])(
      'ends the session for a same-origin post (%s): 302 to the tenant sign-out page, cookie cleared',
      async (_case, headers: Record<string, string>) => {
        const token = await signedIn();
        const response = await logout(token, { ...headers, 'content-type': 'application/x-www-form-urlencoded' });
        expect(response.statusCode).toBe(302);
        // acme has no IdP connection here: the browser goes to the gateway's own signed-out page for the tenant.
        expect(response.headers.location).toBe(`${PUBLIC_ORIGIN}/auth/logged-out/acme`);
        expect(String(response.headers['set-cookie'])).toContain(`${cookieName}=;`);
        expect(await isLive(token)).toBe(false);
      },
    );

    it('GET /auth/logout keeps working', async () => {
      const token = await signedIn();
      const response = await oidc.app.inject({
        method: 'GET',
        url: '/auth/logout',
        headers: { cookie: `${cookieName}=${token}` },
      });
      expect(response.statusCode).toBe(302);
      expect(await isLive(token)).toBe(false);
    });
  });

  describe('a bodiless DELETE with Content-Type: application/json', () => {
    it('is taken by the admin API, as by the SCIM app', async () => {
      expect((await admin.post('/admin/v1/tenants', { slug: 'doomed', name: 'Doomed' })).status).toBe(201);
      const response = await oidc.app.inject({
        method: 'DELETE',
        url: '/admin/v1/tenants/doomed',
        headers: { authorization: `Bearer ${oidc.config.adminToken}`, 'content-type': 'application/json' },
      });
      expect(response.statusCode).toBeLessThan(300);
      expect((await admin.get('/admin/v1/tenants/doomed')).status).toBe(404);
    });

    it('while a malformed or empty JSON body on a write is still a 400', async () => {
      const send = (payload: string) =>
        oidc.app.inject({
          method: 'POST',
          url: '/admin/v1/tenants',
          payload,
          headers: { authorization: `Bearer ${oidc.config.adminToken}`, 'content-type': 'application/json' },
        });
      for (const payload of ['{', '']) {
        const response = await send(payload);
        expect(response.statusCode).toBe(400);
        expect(JSON.parse(response.body).error.code).toBe('invalid_request');
      }
    });
  });
});
