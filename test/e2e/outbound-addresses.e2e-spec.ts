import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { createWorkerApp } from '../../apps/worker/src/create-worker-app';
import { adminRequests } from '../support/admin-requests';
import { PublicIdp, reachThroughPublicInternet, startPublicIdp } from '../support/public-idp';
import { EventsGateway, startEventsGateway } from '../support/events-gateway';
import { USER_SCHEMA } from '../support/scim-client';
import { SignInGateway, startSignInGateway } from '../support/sign-in-gateway';
import { TestApp, startTestApp } from '../support/test-app';
import { eventually } from '../support/webhook-receiver';

/** A loopback HTTP server that counts the TCP connections made to it: a refused address is never connected to. */
async function countingServer(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server = createServer((_request, response) => response.writeHead(204).end());
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('outbound addresses: issuers and webhook URLs on private networks', () => {
  /** The gateway as tests usually run it: ALLOW_PRIVATE_NETWORKS on, its IdP on loopback. */
  let open: SignInGateway;
  /** The OIDC app with ALLOW_PRIVATE_NETWORKS off (the default), on a database of its own. */
  let strict: TestApp;
  let admin: ReturnType<typeof adminRequests>;
  let receiver: Awaited<ReturnType<typeof countingServer>>;

  beforeAll(async () => {
    open = await startSignInGateway({ accounts: [{ sub: '00u-eve', email: 'eve@evil.example', name: 'Eve' }] });
    strict = await startTestApp(createOidcApp, { allowPrivateNetworks: false });
    admin = adminRequests(strict.app, strict.config.adminToken);
    receiver = await countingServer();
  });
  afterAll(async () => {
    await receiver?.close();
    await strict?.close();
    await open?.close();
  });

  describe('the admin API, with ALLOW_PRIVATE_NETWORKS off', () => {
    const webhookUrls: [string, (port: number) => string, RegExp][] = [
      ['a private network address', () => 'http://10.0.0.1/hooks', /10\.0\.0\.1 is a private network address/],
      [
        'the cloud metadata address',
        () => 'http://169.254.169.254/latest/meta-data/',
        /169\.254\.169\.254 is a link-local address/,
      ],
      ['a loopback address', (port) => `http://127.0.0.1:${port}/hooks`, /127\.0\.0\.1 is a loopback address/],
      ['IPv6 loopback', (port) => `http://[::1]:${port}/hooks`, /::1 is a loopback address/],
      [
        'an IPv4-mapped loopback address',
        (port) => `http://[::ffff:127.0.0.1]:${port}/hooks`,
        /::ffff:7f00:1 is a loopback address/,
      ],
      ['localhost', (port) => `http://localhost:${port}/hooks`, /resolves to a private address: (127\.0\.0\.1|::1)/],
    ];

    it.each(webhookUrls)(
      'refuses a webhook subscription to %s with 422, stores nothing and connects to nothing',
      async (_case, url, why) => {
        const before = (await admin.get('/admin/v1/subscriptions')).body;
        const target = url(receiver.port);
        const created = await admin.post('/admin/v1/subscriptions', {
          name: 'internal',
          url: target,
          events: ['user.*'],
        });
        expect(created.status).toBe(422);
        expect(created.body.error.code).toBe('unprocessable');
        expect(created.body.error.message).toContain(`url: ${new URL(target).href} `);
        expect(created.body.error.message).toMatch(why);
        expect(created.body.error.message).toContain('ALLOW_PRIVATE_NETWORKS=true');
        expect(created.body.error.message).not.toMatch(/ECONN|refused to connect|timed out/i);
        expect((await admin.get('/admin/v1/subscriptions')).body).toEqual(before);
        expect(receiver.connections()).toBe(0);
      },
    );

    it('refuses moving a webhook to a private address, and the subscription keeps its URL', async () => {
      // A literal public address: checked without a resolver, and never called (this app runs no worker).
      const created = await admin.post('/admin/v1/subscriptions', {
        name: 'billing',
        url: 'https://93.184.216.34/hooks/identity',
        events: ['user.*'],
      });
      expect(created.status).toBe(201);
      const id = (created.body as { id: string }).id;
      const moved = await admin.patch(`/admin/v1/subscriptions/${id}`, {
        url: `http://127.0.0.1:${receiver.port}/hooks`,
        name: 'renamed',
      });
      expect(moved.status).toBe(422);
      expect(moved.body.error.message).toMatch(/^url: http:\/\/127\.0\.0\.1:\d+\/hooks is a private address/);
      expect((await admin.get(`/admin/v1/subscriptions/${id}`)).body).toMatchObject({
        name: 'billing',
        url: 'https://93.184.216.34/hooks/identity',
      });
      expect(receiver.connections()).toBe(0);
    });

    it('still takes a queue subscription, which calls nothing', async () => {
      const created = await admin.post('/admin/v1/subscriptions', {
        name: 'audit',
        queue: 'identity-audit',
        events: ['*'],
      });
      expect(created.status).toBe(201);
    });

    const issuers: [string, () => string, RegExp][] = [
      ['its loopback address', () => open.idp.issuer, /127\.0\.0\.1 is a loopback address/],
      ['localhost', () => `http://localhost:${open.idp.port}`, /resolves to a private address: (127\.0\.0\.1|::1)/],
      [
        'an IPv4-mapped loopback address',
        () => `http://[::ffff:127.0.0.1]:${open.idp.port}`,
        /::ffff:7f00:1 is a loopback address/,
      ],
      ['a private network address', () => 'https://10.0.0.1/oauth2/default', /10\.0\.0\.1 is a private network/],
      ['the cloud metadata address', () => 'http://169.254.169.254', /169\.254\.169\.254 is a link-local address/],
    ];

    it.each(issuers)(
      'refuses an issuer on %s with 422; no connection is made to the IdP and nothing is stored',
      async (_case, issuer, why) => {
        const slug = `strict-${Math.random().toString(36).slice(2, 8)}`;
        expect((await admin.post('/admin/v1/tenants', { slug, name: slug })).status).toBe(201);
        const requests = open.idp.requests.length;
        const connections = open.idp.connections();
        const put = await admin.put(`/admin/v1/tenants/${slug}/oidc`, {
          issuer: issuer(),
          clientId: 'gateway-strict',
          clientSecret: 'secret',
        });
        expect(put.status).toBe(422);
        expect(put.body.error.code).toBe('unprocessable');
        expect(put.body.error.message).toMatch(/^the issuer is refused: /);
        expect(put.body.error.message).toMatch(why);
        expect(put.body.error.message).not.toMatch(/ECONN|fetch failed/);
        // Not even a TCP connection (a request the IdP never finished would not be in `requests`).
        expect(open.idp.connections()).toBe(connections);
        expect(open.idp.requests).toHaveLength(requests);
        expect((await admin.get(`/admin/v1/tenants/${slug}/oidc`)).status).toBe(404);
      },
    );
  });

  describe('sign-in, for a connection saved with ALLOW_PRIVATE_NETWORKS on', () => {
    const login = '/auth/login?tenant=evil&return_to=' + encodeURIComponent('https://app.evil.example/home');

    beforeAll(async () => {
      await open.tenant('evil');
    });

    it('never reaches the loopback IdP once the gateway runs with ALLOW_PRIVATE_NETWORKS off', async () => {
      // The same database and Redis as the gateway that saved the connection; only the flag differs.
      const app = await createOidcApp({ ...open.config, allowPrivateNetworks: false });
      try {
        await app.init();
        await app.getHttpAdapter().getInstance().ready();
        const requests = open.idp.requests.length;
        const connections = open.idp.connections();
        const response = await app.inject({ method: 'GET', url: login });
        expect(response.statusCode).toBeGreaterThanOrEqual(400);
        expect(response.headers.location).toBeUndefined();
        expect(response.body).not.toMatch(/ECONN/);
        expect(open.idp.connections()).toBe(connections);
        expect(open.idp.requests).toHaveLength(requests);
      } finally {
        await app.close();
      }
    });

    it('goes to the IdP where private networks are allowed (so the refusal above is the flag’s)', async () => {
      const response = await open.oidc.inject({ method: 'GET', url: login });
      expect(response.statusCode).toBe(302);
      expect(String(response.headers.location)).toMatch(new RegExp(`^${open.idp.origin}/`));
    });
  });

  describe('the discovery document pinned when the connection was saved (ALLOW_PRIVATE_NETWORKS off)', () => {
    /** An IdP the address rules see as public; its document is served on loopback (see public-idp.ts). */
    let idp: PublicIdp;
    /** A server inside the network, which the IdP's document will name. */
    let inside: Awaited<ReturnType<typeof countingServer>>;
    const login = (slug: string) => strict.app.inject({ method: 'GET', url: `/auth/login?tenant=${slug}` });
    const pinnedOf = async (slug: string) =>
      (
        await strict.db.query<{ server_metadata: Record<string, string> | null }>(
          `SELECT c.server_metadata FROM oidc_connections c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = $1`,
          [slug],
        )
      )[0]?.server_metadata;
    /** Nothing of the inside server's state (refused, open, reset, timed out) on a page or in an error. */
    const expectNoPortState = (text: string) => {
      expect(text).not.toMatch(/ECONN|refused to connect|connection reset|timed out|socket|fetch failed/i);
      expect(text).not.toContain(String(inside.port));
    };

    beforeAll(async () => {
      idp = await startPublicIdp();
      inside = await countingServer();
      reachThroughPublicInternet(strict.app);
    });
    afterAll(async () => {
      await inside?.close();
      await idp?.close();
    });
    beforeEach(() => idp.serve());

    const connect = async (slug: string) => {
      expect((await admin.post('/admin/v1/tenants', { slug, name: slug })).status).toBe(201);
      const put = await admin.put(`/admin/v1/tenants/${slug}/oidc`, {
        issuer: idp.issuer,
        clientId: `gateway-${slug}`,
        clientSecret: 'secret-0123456789',
      });
      expect(put.status).toBe(200);
    };

    it('stores the document checked at save, and sign-in uses its endpoints without fetching it again', async () => {
      await connect('pinned');
      expect(await pinnedOf('pinned')).toMatchObject({
        issuer: idp.issuer,
        authorization_endpoint: `${idp.issuer}/authorize`,
        token_endpoint: `${idp.issuer}/token`,
      });
      // The IdP's document changes after the save: elsewhere on the IdP, and its token endpoint inside.
      idp.serve({
        authorization_endpoint: `${idp.issuer}/moved/authorize`,
        token_endpoint: `http://127.0.0.1:${inside.port}/token`,
        jwks_uri: `http://127.0.0.1:${inside.port}/jwks`,
      });
      const connections = idp.connections();
      const documents = idp.documentRequests();
      for (let i = 0; i < 3; i++) {
        const started = await login('pinned');
        expect(started.statusCode).toBe(302);
        expect(String(started.headers.location).startsWith(`${idp.issuer}/authorize?`)).toBe(true);
      }
      // An anonymous visitor made the gateway fetch nothing, and connect nowhere.
      expect(idp.connections()).toBe(connections);
      expect(idp.documentRequests()).toBe(documents);
      expect(inside.connections()).toBe(0);
    });

    it('refuses a refresh whose document names a loopback token endpoint or JWKS, keeps the old pin, and connects to neither', async () => {
      await connect('refreshed');
      const before = await pinnedOf('refreshed');
      for (const endpoint of ['token_endpoint', 'jwks_uri']) {
        idp.serve({ [endpoint]: `http://127.0.0.1:${inside.port}/${endpoint}` });
        const documents = idp.documentRequests();
        const refreshed = await admin.post('/admin/v1/tenants/refreshed/oidc/refresh');
        expect(refreshed.status).toBe(422);
        expect(refreshed.body.error.code).toBe('unprocessable');
        expect(refreshed.body.error.message).toBe(
          `the discovery document's ${endpoint} is refused: http://127.0.0.1:${inside.port}/${endpoint} is a private address: ` +
            '127.0.0.1 is a loopback address (127.0.0.0/8, ::1) (set ALLOW_PRIVATE_NETWORKS=true to allow private networks)',
        );
        // The reason is the address rule; nothing of whether that port answers.
        expect(refreshed.body.error.message).not.toMatch(/ECONN|refused to connect|timed out|fetch failed/i);
        expect(idp.documentRequests()).toBe(documents + 1);
        expect(await pinnedOf('refreshed')).toEqual(before);
      }
      expect(inside.connections()).toBe(0);
      // Sign-in goes on with the pinned document.
      const started = await login('refreshed');
      expect(started.statusCode).toBe(302);
      expect(String(started.headers.location).startsWith(`${before!.authorization_endpoint}?`)).toBe(true);

      // A document that passes replaces the pin, and the next sign-in uses it.
      idp.serve({ authorization_endpoint: `${idp.issuer}/v2/authorize` });
      const accepted = await admin.post('/admin/v1/tenants/refreshed/oidc/refresh');
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({ issuer: idp.issuer, clientId: 'gateway-refreshed' });
      expect(await pinnedOf('refreshed')).toMatchObject({ authorization_endpoint: `${idp.issuer}/v2/authorize` });
      expect(String((await login('refreshed')).headers.location).startsWith(`${idp.issuer}/v2/authorize?`)).toBe(true);
      expect(inside.connections()).toBe(0);
    });

    it('answers a refresh of a tenant with no connection with 404, and changes nothing', async () => {
      expect((await admin.post('/admin/v1/tenants', { slug: 'unconnected', name: 'Unconnected' })).status).toBe(201);
      const documents = idp.documentRequests();
      const refreshed = await admin.post('/admin/v1/tenants/unconnected/oidc/refresh');
      expect(refreshed.status).toBe(404);
      expect(refreshed.body.error.code).toBe('not_found');
      expect(idp.documentRequests()).toBe(documents);
      expect((await admin.post('/admin/v1/tenants/no-such-tenant/oidc/refresh')).status).toBe(404);
    });

    it('pins a connection saved before documents were stored once, at first use; a document naming an inside endpoint is refused then, with no connection and no port state on the page', async () => {
      await connect('older');
      await connect('older-bad');
      await strict.db.query(
        `UPDATE oidc_connections SET server_metadata = NULL, server_metadata_checked_at = NULL
          WHERE tenant_id IN (SELECT id FROM tenants WHERE slug IN ('older', 'older-bad'))`,
      );
      // A good document: fetched and checked once, stored, then used as any pin.
      const documents = idp.documentRequests();
      expect((await login('older')).statusCode).toBe(302);
      expect((await login('older')).statusCode).toBe(302);
      expect(idp.documentRequests()).toBe(documents + 1);
      expect(await pinnedOf('older')).toMatchObject({ token_endpoint: `${idp.issuer}/token` });

      // A document naming a loopback token endpoint: the sign-in is refused with a plain page.
      idp.serve({ token_endpoint: `http://127.0.0.1:${inside.port}/token` });
      const refused = await login('older-bad');
      expect(refused.statusCode).toBe(502);
      expect(refused.headers.location).toBeUndefined();
      expect(refused.body).toContain('could not be reached, or its settings are not valid');
      expectNoPortState(refused.body);
      expect(await pinnedOf('older-bad')).toBeNull();
      // The failure is kept a while: another visitor does not make the gateway fetch again.
      const afterFailure = idp.documentRequests();
      expect((await login('older-bad')).statusCode).toBe(502);
      expect(idp.documentRequests()).toBe(afterFailure);
      expect(inside.connections()).toBe(0);
    });
  });

  describe('webhook delivery, for a subscription saved with ALLOW_PRIVATE_NETWORKS on', () => {
    let events: EventsGateway;
    let worker: NestFastifyApplication;

    beforeAll(async () => {
      // A 3 ms base makes the whole retry schedule last seconds, so "failed" is reachable in a test.
      events = await startEventsGateway({ worker: false, overrides: { deliveryBackoffMs: 3 } });
      // The worker runs with the flag off: the subscription was saved while it was on.
      worker = await createWorkerApp({ ...events.config, allowPrivateNetworks: false });
      await worker.init();
      await worker.getHttpAdapter().getInstance().ready();
    });
    afterAll(async () => {
      await worker?.close();
      await events?.close();
    });

    it('fails every attempt at the connection guard; the receiver sees no connection', async () => {
      const tenant = await events.tenant('hooked');
      const subscribed = await events.admin.post('/admin/v1/subscriptions', {
        name: 'loopback receiver',
        url: `http://127.0.0.1:${receiver.port}/hooks`,
        events: ['user.*'],
        tenant: tenant.slug,
      });
      expect(subscribed.status).toBe(201);
      const id = (subscribed.body as { id: string }).id;
      const created = await tenant.send('POST', '/scim/v2/Users', {
        schemas: [USER_SCHEMA],
        userName: 'eve@hooked.test',
      });
      expect(created.status).toBe(201);

      const [failed] = await eventually(
        async () => {
          const log = (await events.admin.get(`/admin/v1/subscriptions/${id}/deliveries?status=failed`)).body
            .deliveries as unknown[];
          return log.length > 0 && log;
        },
        60_000,
        'the delivery to fail',
      );
      expect(failed).toMatchObject({
        status: 'failed',
        lastResponseStatus: null,
        lastError: expect.stringMatching(
          /^refused: http:\/\/127\.0\.0\.1:\d+ is a private address: 127\.0\.0\.1 is a loopback address/,
        ),
      });
      expect(JSON.stringify(failed)).not.toMatch(/ECONN/);
      expect(receiver.connections()).toBe(0);
    });
  });
});
