import { generateKeyPair, SignJWT } from 'jose';
import { EventsGateway, startEventsGateway } from '../support/events-gateway';
import { TestRedisServer, startRedisServer } from '../support/redis-server';
import { ScimTenant, USER_SCHEMA } from '../support/scim-client';
import { createGroup } from '../support/scim-groups-client';
import { eventually } from '../support/webhook-receiver';

/** A product registered with client credentials, and a way to get its tokens from the gateway's token endpoint. */
interface Product {
  readonly clientId: string;
  token(scope?: string): Promise<string>;
}

async function registerProduct(gateway: EventsGateway, name: string, tenants: string[]): Promise<Product> {
  const created = await gateway.admin.post('/admin/v1/clients', { name, grantTypes: ['client_credentials'], tenants });
  expect(created.status).toBe(201);
  const { clientId, clientSecret } = created.body as { clientId: string; clientSecret: string };
  return {
    clientId,
    token: async (scope = 'events:read directory:read') => {
      const response = await gateway.oidc.inject({
        method: 'POST',
        url: '/oidc/token',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
        },
        payload: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
      });
      expect(response.statusCode).toBe(200);
      return (JSON.parse(response.body) as { access_token: string }).access_token;
    },
  };
}

async function api(gateway: EventsGateway, url: string, token?: string) {
  const response = await gateway.oidc.inject({
    method: 'GET',
    url,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  return { status: response.statusCode, headers: response.headers, body: JSON.parse(response.body) };
}

async function createUser(tenant: ScimTenant, userName: string): Promise<string> {
  const response = await tenant.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], userName });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

/** Follows the feed to its current end (events after `cursor`, no wait). */
async function readFeed(gateway: EventsGateway, token: string, cursor: string | undefined, extra = '') {
  const events: any[] = [];
  for (;;) {
    const page = await api(gateway, `/api/v1/events?limit=1000${cursor ? `&after=${cursor}` : ''}${extra}`, token);
    expect(page.status).toBe(200);
    events.push(...page.body.data);
    cursor = page.body.nextCursor as string;
    if (!page.body.hasMore) return { events, cursor };
  }
}

describe('products API over HTTP', () => {
  let gateway: EventsGateway;
  let redis: TestRedisServer;
  let acme: ScimTenant;
  let globex: ScimTenant;
  let everywhere: Product;
  let acmeOnly: Product;
  let token: string;

  beforeAll(async () => {
    redis = await startRedisServer();
    gateway = await startEventsGateway({ overrides: { redisUrl: redis.url } });
    acme = await gateway.tenant('acme');
    globex = await gateway.tenant('globex');
    everywhere = await registerProduct(gateway, 'analytics', ['*']);
    acmeOnly = await registerProduct(gateway, 'billing', ['acme']);
    token = await everywhere.token();
  });
  afterAll(async () => {
    await gateway.close();
    await redis.stop();
  });

  it('refuses a request without a valid token (401) and a token without the scope (403)', async () => {
    for (const bad of [undefined, 'not-a-jwt', token.slice(0, -4) + 'AAAA']) {
      const response = await api(gateway, '/api/v1/events', bad);
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    // Right claims, but signed by a key that is not the gateway's.
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ client_id: everywhere.clientId, scope: 'events:read' })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'forged' })
      .setIssuer(gateway.config.publicUrl)
      .setAudience(`${gateway.config.publicUrl}/api/v1`)
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await api(gateway, '/api/v1/events', forged)).status).toBe(401);

    const eventsOnly = await everywhere.token('events:read');
    expect((await api(gateway, '/api/v1/events', eventsOnly)).status).toBe(200);
    const refused = await api(gateway, '/api/v1/directory/users', eventsOnly);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('insufficient_scope');
    expect(refused.headers['www-authenticate']).toContain('insufficient_scope');
  });

  it('refuses bad cursors, limits and waits with 400, changing nothing', async () => {
    for (const url of [
      '/api/v1/events?after=garbage',
      '/api/v1/events?limit=0',
      '/api/v1/events?limit=1001',
      '/api/v1/events?wait=31',
      '/api/v1/events?types=user.exploded',
      '/api/v1/directory/users?cursor=garbage',
      '/api/v1/directory/users?limit=501',
      '/api/v1/directory/users?active=maybe',
      '/api/v1/directory/users?updatedSince=yesterday',
    ]) {
      const response = await api(gateway, url, token);
      expect({ url, status: response.status, code: response.body.error?.code }).toEqual({
        url,
        status: 400,
        code: 'invalid_request',
      });
    }
    // A directory cursor is not an events cursor, nor the other way round.
    const page = await api(gateway, '/api/v1/directory/users?tenant=acme&limit=1', token);
    expect((await api(gateway, `/api/v1/events?after=${page.body.eventsCursor}`, token)).status).toBe(200);
    expect((await api(gateway, `/api/v1/directory/users?cursor=${page.body.eventsCursor}`, token)).status).toBe(400);
  });

  it('serves the events of SCIM changes and the directory, within the tenants a client may read', async () => {
    const start = (await readFeed(gateway, token, undefined)).cursor;
    const ann = await createUser(acme, 'ann@acme.test');
    const bob = await createUser(globex, 'bob@globex.test');
    let feed = { events: [] as any[], cursor: start };
    await eventually(
      async () => {
        feed = await readFeed(gateway, token, start);
        return feed.events.length >= 2;
      },
      15_000,
      'both events in the feed',
    );
    expect(feed.events.map((event) => [event.type, event.subject.id])).toEqual([
      ['user.created', ann],
      ['user.created', bob],
    ]);
    // The same objects the outbox holds for webhooks.
    const [stored] = await gateway.db.query<{ payload: unknown }>(`SELECT payload FROM outbox_events WHERE id = $1`, [
      feed.events[0].id,
    ]);
    expect(feed.events[0]).toEqual(stored.payload);

    const billing = await acmeOnly.token();
    expect((await readFeed(gateway, billing, start)).events.map((event) => event.subject.id)).toEqual([ann]);
    expect((await api(gateway, '/api/v1/events?tenant=globex', billing)).status).toBe(403);
    expect((await api(gateway, '/api/v1/directory/users?tenant=globex', billing)).status).toBe(403);
    expect((await api(gateway, `/api/v1/directory/users/${bob}`, billing)).status).toBe(404);
    const users = await api(gateway, '/api/v1/directory/users', billing);
    expect(users.body.data.map((user: any) => user.id)).toEqual([ann]);
    expect(users.body.nextCursor).toBeNull();
    expect(users.body.data[0]).toEqual({
      id: ann,
      tenant: 'acme',
      externalId: null,
      userName: 'ann@acme.test',
      email: null,
      name: { givenName: null, familyName: null, formatted: null },
      active: true,
      roles: [],
      teams: [],
      sequence: 1,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect((await api(gateway, `/api/v1/directory/users/${ann}`, billing)).body).toEqual(users.body.data[0]);
    expect((await api(gateway, `/api/v1/directory/users/${ann}/groups`, billing)).body).toMatchObject({
      data: [],
      nextCursor: null,
    });
    expect((await api(gateway, `/api/v1/directory/groups`, billing)).body).toMatchObject({
      data: [],
      nextCursor: null,
    });
  });

  it('wakes a long-poll when a change commits, without waiting out its time', async () => {
    const { cursor } = await readFeed(gateway, token, undefined);
    const waiting = api(gateway, `/api/v1/events?after=${cursor}&wait=25`, token);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const id = await createUser(acme, 'carol@acme.test');
    const committedAt = Date.now();
    const response = await waiting;
    expect(response.status).toBe(200);
    expect(response.body.data.map((event: any) => event.subject.id)).toEqual([id]);
    // Generous for a busy machine: the point is that NOTIFY woke it, not the 25 s timeout.
    expect(Date.now() - committedAt).toBeLessThan(10_000);
  });

  it('answers an expired cursor with 410 cursor_expired and a hint to list the directory again', async () => {
    const { cursor } = await readFeed(gateway, token, undefined);
    await createUser(acme, 'dave@acme.test');
    await eventually(async () => (await readFeed(gateway, token, cursor)).events.length === 1, 15_000, 'the event');
    await gateway.db.query(`UPDATE events_feed SET pruned_through = head`);
    const response = await api(gateway, `/api/v1/events?after=${cursor}`, token);
    expect(response.status).toBe(410);
    expect(response.body.error).toEqual({ code: 'cursor_expired', message: expect.stringContaining('directory') });
  });

  it('keeps the feed going while Redis is down', async () => {
    // A subscription selects the change, so its publication waits for Redis (one nothing selects would not).
    const subscription = await gateway.admin.post('/admin/v1/subscriptions', {
      name: 'sessions',
      queue: 'products-api-sessions',
      events: ['user.created'],
      tenant: 'acme',
    });
    expect(subscription.status).toBe(201);
    const { cursor } = await readFeed(gateway, token, undefined);
    await redis.stop();
    try {
      const id = await createUser(acme, 'erin@acme.test');
      await eventually(
        async () => (await readFeed(gateway, token, cursor)).events.some((event) => event.subject.id === id),
        15_000,
        'the event in the feed while Redis is down',
      );
      const [{ published }] = await gateway.db.query<{ published: boolean }>(
        `SELECT published_at IS NOT NULL AS published FROM outbox_events WHERE subject_id = $1`,
        [id],
      );
      expect(published).toBe(false); // the webhook relay waits for Redis; the feed does not
    } finally {
      await redis.start();
      await gateway.admin.delete(`/admin/v1/subscriptions/${subscription.body.id}`);
    }
  });

  it('reports feed lag per client and the request rates on /metrics', async () => {
    // Reading from the start of the feed: the client was as far behind as the feed is long.
    const [{ head }] = await gateway.db.query<{ head: string }>(`SELECT head::text FROM events_feed`);
    await gateway.db.query(`UPDATE events_feed SET pruned_through = 0`);
    expect((await api(gateway, '/api/v1/events?limit=1', token)).status).toBe(200);
    expect((await api(gateway, '/api/v1/directory/users?limit=1', token)).status).toBe(200);
    const metrics = (await gateway.oidc.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain(`gateway_feed_lag_events{client="${everywhere.clientId}"} ${head}`);
    expect(metrics).toMatch(new RegExp(`gateway_feed_requests_total\\{client="${everywhere.clientId}"\\} [1-9]`));
    expect(metrics).toMatch(new RegExp(`gateway_feed_events_served_total\\{client="${everywhere.clientId}"\\} [1-9]`));
    expect(metrics).toMatch(
      new RegExp(`gateway_directory_requests_total\\{client="${everywhere.clientId}",listing="users"\\} [1-9]`),
    );
  });

  it('refuses a directory cursor sent with another tenant or other filters than its listing began with (400)', async () => {
    const initech = await gateway.tenant('initech');
    const hooli = await gateway.tenant('hooli');
    await createUser(initech, 'bound1@initech.test');
    await createUser(initech, 'bound2@initech.test');
    await createUser(hooli, 'bound3@hooli.test');
    const first = await api(gateway, '/api/v1/directory/users?tenant=initech&active=true&limit=1', token);
    const cursor = first.body.nextCursor as string;
    expect(cursor).toEqual(expect.any(String));
    const next = `/api/v1/directory/users?tenant=initech&active=true&limit=1&cursor=${cursor}`;
    const before = await api(gateway, next, token);
    expect(before.status).toBe(200);
    for (const [query, message] of [
      ['tenant=hooli&active=true', 'cursor belongs to a listing of tenant "initech", not of tenant "hooli"'],
      ['active=true', 'cursor belongs to a listing of tenant "initech", not of every tenant'],
      ['tenant=initech&active=false', 'cursor belongs to a listing with other filters'],
      ['tenant=initech', 'cursor belongs to a listing with other filters'],
      ['tenant=initech&active=true&email=bound1@initech.test', 'cursor belongs to a listing with other filters'],
    ]) {
      const response = await api(gateway, `/api/v1/directory/users?${query}&limit=1&cursor=${cursor}`, token);
      expect({ query, status: response.status, body: response.body }).toEqual({
        query,
        status: 400,
        body: { error: { code: 'invalid_request', message: expect.stringContaining(message) } },
      });
    }
    // A groups listing's cursor is bound the same way.
    await createGroup(hooli, { displayName: 'g1' });
    await createGroup(hooli, { displayName: 'g2' });
    const groups = await api(gateway, '/api/v1/directory/groups?tenant=hooli&limit=1', token);
    const refused = await api(
      gateway,
      `/api/v1/directory/groups?tenant=initech&cursor=${groups.body.nextCursor}`,
      token,
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('invalid_request');
    // The refusals changed nothing: the cursor with its own tenant and filters gives the same page.
    const after = await api(gateway, next, token);
    expect({ status: after.status, body: after.body }).toEqual({ status: before.status, body: before.body });
  });
});
