import { Redis } from 'ioredis';
import { RateLimitSettings, ResolvedConfig } from '@app/platform';
import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { createScimApp } from '../../apps/scim/src/create-scim-app';
import { adminRequests } from '../support/admin-requests';
import { ERROR_SCHEMA, ScimTenant, createScimTenant } from '../support/scim-client';
import { TestApp, startTestApp } from '../support/test-app';
import { TestIdp, startTestIdp } from '../support/test-idp';

/** Small limits, so that a test reaches them in a few requests. */
const SMALL: RateLimitSettings = {
  scimPerSecond: 5,
  scimMaxWaitMs: 5_000,
  authFailures: 4,
  authFailureWindowSeconds: 600,
  signInStartsPerMinute: 3,
  signInPending: 5,
  trustedProxyHops: 0,
};

const OKTA = '198.51.100.10';
const ELSEWHERE = '203.0.113.20';

function withLimits(limits: Partial<RateLimitSettings>, more: Partial<ResolvedConfig> = {}): Partial<ResolvedConfig> {
  return { rateLimits: { ...SMALL, ...limits }, ...more };
}

/** A SCIM request from a given client address. */
async function scim(gateway: TestApp, token: string, remoteAddress: string, url = '/scim/v2/Users?count=1') {
  const response = await gateway.app.inject({
    method: 'GET',
    url,
    remoteAddress,
    headers: { authorization: `Bearer ${token}` },
  });
  return {
    status: response.statusCode,
    retryAfter: response.headers['retry-after'],
    body: JSON.parse(response.body) as Record<string, unknown>,
  };
}

describe('rate limits', () => {
  describe('SCIM: failed authentication per address', () => {
    let gateway: TestApp;
    let tenant: ScimTenant;

    beforeAll(async () => {
      gateway = await startTestApp(createScimApp, withLimits({}));
      tenant = await createScimTenant(gateway, 'acme');
    });
    afterAll(() => gateway.close());

    it('answers 401 up to the limit, then 429 with Retry-After; a valid token from that address still passes', async () => {
      for (let i = 0; i < SMALL.authFailures; i++) {
        expect((await scim(gateway, `gws_wrong-${i}`, OKTA)).status).toBe(401);
      }
      const refused = await scim(gateway, 'gws_wrong-again', OKTA);
      expect(refused.status).toBe(429);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(SMALL.authFailureWindowSeconds);
      expect(refused.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '429' });

      // One Okta address serves every customer: the customer whose token is right is not refused.
      for (let i = 0; i < 3; i++) expect((await scim(gateway, tenant.token, OKTA)).status).toBe(200);
      // Another address is counted on its own.
      expect((await scim(gateway, 'gws_wrong', ELSEWHERE)).status).toBe(401);
    });

    it('keeps the counters in Redis under hash-tagged keys (Redis Cluster)', async () => {
      const redis = new Redis(gateway.config.redisUrl);
      try {
        const keys = await redis.keys(`${gateway.config.redisPrefix}:rl:*`);
        expect(keys).toEqual(
          expect.arrayContaining([
            `${gateway.config.redisPrefix}:rl:auth-failures:{${OKTA}}`,
            `${gateway.config.redisPrefix}:rl:auth-failures:{${ELSEWHERE}}`,
          ]),
        );
        expect(keys.every((key) => /:\{[^}]+\}$/.test(key))).toBe(true);
      } finally {
        redis.disconnect();
      }
    });
  });

  describe('SCIM: per-token pace', () => {
    it('over the rate, requests wait for room rather than being refused', async () => {
      const gateway = await startTestApp(createScimApp, withLimits({ scimPerSecond: 5, scimMaxWaitMs: 10_000 }));
      try {
        const tenant = await createScimTenant(gateway, 'acme');
        const started = Date.now();
        const statuses = await Promise.all(Array.from({ length: 12 }, () => scim(gateway, tenant.token, OKTA)));
        expect(statuses.map((response) => response.status)).toEqual(Array(12).fill(200));
        // 12 requests at 5 a second need a third one-second window: they were held, not refused.
        expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
        const metrics = (await gateway.app.inject({ url: '/metrics' })).body;
        expect(metrics).toMatch(/gateway_rate_limit_events_total\{limit="scim-token",outcome="waited"\} [1-9]/);
        expect(metrics).not.toMatch(/outcome="refused"/);
      } finally {
        await gateway.close();
      }
    });

    it('far above the rate, with no time left to wait, answers 429 with Retry-After in the SCIM schema', async () => {
      const gateway = await startTestApp(createScimApp, withLimits({ scimPerSecond: 2, scimMaxWaitMs: 0 }));
      try {
        const tenant = await createScimTenant(gateway, 'acme');
        const other = await createScimTenant(gateway, 'other');
        const responses = await Promise.all(Array.from({ length: 30 }, () => scim(gateway, tenant.token, OKTA)));
        const refused = responses.filter((response) => response.status === 429);
        expect(refused.length).toBeGreaterThan(0);
        expect(responses.every((response) => response.status === 200 || response.status === 429)).toBe(true);
        for (const response of refused) {
          expect(response.retryAfter).toBe('1');
          expect(response.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '429' });
        }
        // The limit is per token: another tenant's token is not slowed by this one.
        expect((await scim(gateway, other.token, OKTA)).status).toBe(200);
      } finally {
        await gateway.close();
      }
    });
  });

  describe('SCIM without Redis', () => {
    it('keeps serving: limits fail open', async () => {
      const gateway = await startTestApp(
        createScimApp,
        withLimits({ authFailures: 1 }, { redisUrl: 'redis://127.0.0.1:1' }),
      );
      try {
        const tenant = await createScimTenant(gateway, 'acme');
        for (let i = 0; i < 4; i++) expect((await scim(gateway, 'gws_wrong', OKTA)).status).toBe(401);
        for (let i = 0; i < 8; i++) expect((await scim(gateway, tenant.token, OKTA)).status).toBe(200);
      } finally {
        await gateway.close();
      }
    });
  });

  describe('OIDC app', () => {
    let gateway: TestApp;
    let admin: ReturnType<typeof adminRequests>;
    let idp: TestIdp;
    let redis: Redis;

    beforeAll(async () => {
      idp = await startTestIdp({ accounts: [] });
      gateway = await startTestApp(createOidcApp, withLimits({}));
      admin = adminRequests(gateway.app, gateway.config.adminToken);
      redis = new Redis(gateway.config.redisUrl);
      expect((await admin.post('/admin/v1/tenants', { slug: 'acme', name: 'Acme' })).status).toBe(201);
      idp.registerClient({
        client_id: 'gateway-acme',
        client_secret: 'secret-acme-0123456789',
        redirect_uris: [`${gateway.config.publicUrl}/auth/callback`],
      });
      const connected = await admin.put('/admin/v1/tenants/acme/oidc', {
        issuer: idp.issuer,
        clientId: 'gateway-acme',
        clientSecret: 'secret-acme-0123456789',
      });
      expect(connected.status).toBe(200);
    });
    afterAll(async () => {
      redis.disconnect();
      await gateway.close();
      await idp.close();
    });

    const asAdmin = (token: string, remoteAddress: string, url = '/admin/v1/tenants') =>
      gateway.app.inject({ method: 'GET', url, remoteAddress, headers: { authorization: `Bearer ${token}` } });

    it('admin token guesses: 401 up to the limit, then 429 with Retry-After; the right token still passes', async () => {
      for (let i = 0; i < SMALL.authFailures; i++) {
        expect((await asAdmin(`guess-${i}-0000000000000000000000`, OKTA)).statusCode).toBe(401);
      }
      const refused = await asAdmin('guess-again-000000000000000000000', OKTA);
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(JSON.parse(refused.body)).toEqual({ error: { code: 'too_many_requests', message: expect.any(String) } });
      expect((await asAdmin(gateway.config.adminToken, OKTA)).statusCode).toBe(200);
    });

    it('Bull Board: wrong credentials count as failures too', async () => {
      const basic = (password: string) => `Basic ${Buffer.from(`ops:${password}`).toString('base64')}`;
      const board = (authorization: string) =>
        gateway.app.inject({
          method: 'GET',
          url: '/admin/queues',
          remoteAddress: '192.0.2.50',
          headers: { authorization },
        });
      for (let i = 0; i < SMALL.authFailures; i++) expect((await board(basic(`wrong-${i}`))).statusCode).toBe(401);
      const refused = await board(basic('wrong-again'));
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['retry-after']).toBeDefined();
      expect((await board(basic(gateway.config.adminToken))).statusCode).toBe(200);
    });

    const pendingSignIns = async () => (await redis.keys(`${gateway.config.redisPrefix}:sign-in:*`)).length;
    const start = (remoteAddress: string) =>
      gateway.app.inject({ method: 'GET', url: '/auth/login?tenant=acme', remoteAddress });

    it('anonymous sign-in starts: limited per address, and the pending state is capped in all', async () => {
      for (let i = 0; i < SMALL.signInStartsPerMinute; i++) expect((await start('192.0.2.1')).statusCode).toBe(302);
      const refused = await start('192.0.2.1');
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.headers['content-type']).toMatch(/^text\/html/);
      expect(await pendingSignIns()).toBe(SMALL.signInStartsPerMinute);

      // Other addresses go on until the cap on pending sign-ins (5) is reached...
      expect((await start('192.0.2.2')).statusCode).toBe(302);
      expect((await start('192.0.2.3')).statusCode).toBe(302);
      const busy = await start('192.0.2.4');
      expect(busy.statusCode).toBe(503);
      expect(Number(busy.headers['retry-after'])).toBeGreaterThan(0);
      // ...and no refused start stored anything.
      expect(await pendingSignIns()).toBe(SMALL.signInPending);
    });
  });

  describe('OIDC app: the OpenID Provider', () => {
    const REDIRECT_URI = 'https://app.example.test/callback';
    // Three starts a minute per address, eight pending in all.
    let gateway: TestApp;
    let redis: Redis;
    let product: { clientId: string; clientSecret: string };
    let service: { clientId: string; clientSecret: string };

    beforeAll(async () => {
      gateway = await startTestApp(createOidcApp, withLimits({ signInPending: 8 }));
      redis = new Redis(gateway.config.redisUrl);
      const admin = adminRequests(gateway.app, gateway.config.adminToken);
      const created = await admin.post('/admin/v1/clients', { name: 'Product', redirectUris: [REDIRECT_URI] });
      expect(created.status).toBe(201);
      product = created.body as typeof product;
      const machine = await admin.post('/admin/v1/clients', {
        name: 'Reports',
        redirectUris: [REDIRECT_URI],
        grantTypes: ['client_credentials'],
      });
      expect(machine.status).toBe(201);
      service = machine.body as typeof service;
    });
    afterAll(async () => {
      redis.disconnect();
      await gateway.close();
    });

    const stored = async (model: string) => (await redis.keys(`${gateway.config.redisPrefix}:op:{${model}:*`)).length;
    const query = (state: string) =>
      new URLSearchParams({
        client_id: product.clientId,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: REDIRECT_URI,
        state,
      }).toString();
    const authorize = (remoteAddress: string, path = '/oidc/authorize') =>
      gateway.app.inject({
        method: 'GET',
        url: `${path}?${query('s')}`,
        remoteAddress,
        headers: { accept: 'text/html' },
      });
    const basic = (client: { clientId: string }, secret: string) =>
      `Basic ${Buffer.from(`${client.clientId}:${secret}`).toString('base64')}`;
    const push = (remoteAddress: string) =>
      gateway.app.inject({
        method: 'POST',
        url: '/oidc/par',
        remoteAddress,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: basic(product, product.clientSecret),
        },
        payload: query('p'),
      });

    it('limits anonymous starts at /oidc/authorize and /oidc/par per address, and caps what they store in all', async () => {
      // The provider's router takes any letter case and a trailing slash: each spelling is the same start.
      for (const path of ['/oidc/authorize', '/oidc/Authorize/', '/oidc/AUTHORIZE']) {
        expect((await authorize('192.0.2.10', path)).statusCode).toBe(303);
      }
      const refused = await authorize('192.0.2.10');
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.headers['content-type']).toMatch(/^text\/html/);
      expect(refused.body).toContain('Too many sign-ins were started from your network');
      expect(await stored('Interaction')).toBe(3);

      // A pushed authorization request keeps state as well, and is counted the same way.
      for (let i = 0; i < SMALL.signInStartsPerMinute; i++) expect((await push('192.0.2.11')).statusCode).toBe(201);
      const pushedTooOften = await push('192.0.2.11');
      expect(pushedTooOften.statusCode).toBe(429);
      expect(Number(pushedTooOften.headers['retry-after'])).toBeGreaterThan(0);
      expect(JSON.parse(pushedTooOften.body)).toEqual({
        error: 'too_many_requests',
        error_description: 'too many sign-ins were started from this address; retry later',
      });
      expect(await stored('PushedAuthorizationRequest')).toBe(3);

      // Other addresses go on until the cap on pending state (8) is reached, then 503 for everyone.
      expect((await authorize('192.0.2.12')).statusCode).toBe(303);
      expect((await authorize('192.0.2.13')).statusCode).toBe(303);
      const busy = await authorize('192.0.2.14');
      expect(busy.statusCode).toBe(503);
      expect(Number(busy.headers['retry-after'])).toBeGreaterThan(0);
      expect(busy.body).toContain('Too many sign-ins are under way');
      expect((await push('192.0.2.15')).statusCode).toBe(503);
      // Nothing refused was stored.
      expect(await stored('Interaction')).toBe(5);
      expect(await stored('PushedAuthorizationRequest')).toBe(3);
    });

    it('counts failed client authentication at /oidc/token per address; the right secret still passes', async () => {
      const token = (secret: string, remoteAddress = '192.0.2.20') =>
        gateway.app.inject({
          method: 'POST',
          url: '/oidc/token',
          remoteAddress,
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(service, secret) },
          payload: 'grant_type=client_credentials',
        });
      for (let i = 0; i < SMALL.authFailures; i++) {
        const wrong = await token(`wrong-secret-${i}`);
        expect(wrong.statusCode).toBe(401);
        expect(JSON.parse(wrong.body)).toMatchObject({ error: 'invalid_client' });
      }
      const refused = await token('wrong-secret-again');
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.headers['www-authenticate']).toBeUndefined();
      expect(JSON.parse(refused.body)).toEqual({
        error: 'invalid_client',
        error_description: 'too many failed authentications from this address; retry later',
      });
      expect(await redis.exists(`${gateway.config.redisPrefix}:rl:auth-failures:{192.0.2.20}`)).toBe(1);

      // The product with its right secret, from the same address: never refused for others' failures.
      const right = await token(service.clientSecret);
      expect(right.statusCode).toBe(200);
      expect(JSON.parse(right.body)).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String) });
      // Another address is counted on its own.
      expect((await token('wrong-secret', '192.0.2.21')).statusCode).toBe(401);
    });

    it('counts wrong secrets at token revocation on the same per-address count', async () => {
      const call = (path: string, secret: string) =>
        gateway.app.inject({
          method: 'POST',
          url: path,
          remoteAddress: '192.0.2.30',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(service, secret) },
          payload: 'token=not-a-token',
        });
      for (let i = 0; i < SMALL.authFailures; i++) {
        expect((await call('/oidc/token/revocation', `wrong-${i}`)).statusCode).toBe(401);
      }
      const refused = await call('/oidc/token/revocation', 'wrong-again');
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      // The right secret still works from there.
      expect((await call('/oidc/token/revocation', service.clientSecret)).statusCode).toBe(200);
    });
  });
});
