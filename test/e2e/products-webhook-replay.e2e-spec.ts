import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { DeliveryReplayRepository } from '@app/identity/deliveries/delivery-replay.repository';
import { encodeFeedCursor } from '@app/identity/events-feed/feed-cursor';
import { EventsGateway, startEventsGateway } from '../support/events-gateway';
import { childEnv, distEntry, runNode } from '../support/processes';
import { ScimTenant, USER_SCHEMA } from '../support/scim-client';
import { WebhookReceiver, eventually, startWebhookReceiver } from '../support/webhook-receiver';

/** An access token of a product that reads every tenant's events. */
async function productToken(gateway: EventsGateway): Promise<string> {
  const created = await gateway.admin.post('/admin/v1/clients', {
    name: 'replay check',
    grantTypes: ['client_credentials'],
    tenants: ['*'],
  });
  const { clientId, clientSecret } = created.body as { clientId: string; clientSecret: string };
  const response = await gateway.oidc.inject({
    method: 'POST',
    url: '/oidc/token',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
    },
    payload: new URLSearchParams({ grant_type: 'client_credentials', scope: 'events:read' }).toString(),
  });
  return (JSON.parse(response.body) as { access_token: string }).access_token;
}

describe('webhook subscriptions: replay from the events feed, and test events', () => {
  let gateway: EventsGateway;
  let tenant: ScimTenant;
  let hook: WebhookReceiver;
  let subscription: { id: string; secret: string };
  const users: string[] = [];

  beforeAll(async () => {
    gateway = await startEventsGateway();
    tenant = await gateway.tenant('acme');
    hook = await startWebhookReceiver();
    const created = await gateway.admin.post('/admin/v1/subscriptions', {
      name: 'billing',
      url: hook.url,
      events: ['user.*'],
      tenant: 'acme',
    });
    expect(created.status).toBe(201);
    subscription = created.body;
    for (const userName of ['ann@acme.test', 'bob@acme.test', 'carol@acme.test']) {
      const response = await tenant.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], userName });
      users.push(response.body.id as string);
    }
    await tenant.send('PATCH', `/scim/v2/Users/${users[0]}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });
    await eventually(() => hook.accepted().length >= 4, 15_000, 'the first deliveries');
    await eventually(
      async () =>
        (await gateway.db.query(`SELECT 1 FROM outbox_events WHERE feed_position IS NULL`)).length === 0 &&
        (await gateway.db.query(`SELECT 1 FROM deliveries WHERE status = 'pending'`)).length === 0,
      15_000,
      'stamped and delivered',
    );
  });
  afterAll(async () => {
    await gateway.close();
    await hook.close();
  });

  it('re-delivers every event since a time, with the original webhook-ids, each subject in order', async () => {
    const first = hook.accepted().map((request) => request.headers['webhook-id']);
    hook.received.length = 0;
    const response = await gateway.admin.post(`/admin/v1/subscriptions/${subscription.id}/replay`, {
      since: new Date(Date.now() - 3_600_000).toISOString(),
    });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ replayed: 4, through: expect.any(String) });
    await eventually(() => hook.accepted().length >= 4, 15_000, 'the replayed deliveries');
    expect(
      hook
        .accepted()
        .map((request) => request.headers['webhook-id'])
        .sort(),
    ).toEqual([...first].sort());
    const ann = hook
      .accepted()
      .filter((request) => request.event.subject.id === users[0])
      .map((request) => request.event.sequence);
    expect(ann).toEqual([1, 2]);
    // Signed as any delivery.
    const request = hook.accepted()[0];
    expect(() =>
      new Webhook(subscription.secret).verify(request.body, request.headers as Record<string, string>),
    ).not.toThrow();
  });

  it('re-delivers from a feed cursor, only the types asked for', async () => {
    const [{ position }] = await gateway.db.query<{ position: string }>(
      `SELECT feed_position::text AS position FROM outbox_events WHERE subject_id = $1 AND type = 'user.created'`,
      [users[0]],
    );
    await eventually(
      async () => (await gateway.db.query(`SELECT 1 FROM deliveries WHERE status = 'pending'`)).length === 0,
      15_000,
      'the previous replay delivered',
    );
    hook.received.length = 0;
    const response = await gateway.admin.post(`/admin/v1/subscriptions/${subscription.id}/replay`, {
      after: encodeFeedCursor(position),
      types: ['user.created'],
    });
    expect(response.status).toBe(202);
    expect(response.body.replayed).toBe(2);
    await eventually(() => hook.accepted().length >= 2, 15_000, 'two replayed deliveries');
    expect(
      hook
        .accepted()
        .map((request) => request.event.subject.id)
        .sort(),
    ).toEqual([users[1], users[2]].sort());
    expect(hook.accepted().every((request) => request.event.type === 'user.created')).toBe(true);
  });

  it('refuses bad replays clearly and queues nothing', async () => {
    const before = await gateway.db.query(`SELECT id, round FROM deliveries ORDER BY id`);
    for (const [body, status] of [
      [{}, 400],
      [{ after: 'garbage' }, 400],
      [{ since: 'yesterday' }, 400],
      [{ since: new Date().toISOString(), types: ['user.exploded'] }, 400],
    ] as const) {
      const response = await gateway.admin.post(`/admin/v1/subscriptions/${subscription.id}/replay`, body);
      expect(response.status).toBe(status);
      expect(response.body.error.code).toBe('invalid_request');
    }
    const unknown = await gateway.admin.post(`/admin/v1/subscriptions/00000000-0000-4000-8000-000000000000/replay`, {
      since: new Date().toISOString(),
    });
    expect(unknown.status).toBe(404);
    await gateway.db.query(`UPDATE events_feed SET pruned_through = 2`);
    const expired = await gateway.admin.post(`/admin/v1/subscriptions/${subscription.id}/replay`, {
      after: encodeFeedCursor('1'),
    });
    await gateway.db.query(`UPDATE events_feed SET pruned_through = 0`);
    expect(expired.status).toBe(410);
    expect(expired.body.error.code).toBe('cursor_expired');
    expect(await gateway.db.query(`SELECT id, round FROM deliveries ORDER BY id`)).toEqual(before);
  });

  it('refuses a cursor past the feed head with 400, as the events feed does, and queues nothing', async () => {
    const before = await gateway.db.query(`SELECT id, round, status FROM deliveries ORDER BY id`);
    const [{ head }] = await gateway.db.query<{ head: string }>(`SELECT head::text FROM events_feed`);
    const past = encodeFeedCursor((BigInt(head) + 1n).toString());
    const replay = await gateway.admin.post(`/admin/v1/subscriptions/${subscription.id}/replay`, { after: past });
    expect(replay.status).toBe(400);
    expect(replay.body).toEqual({ error: { code: 'invalid_request', message: 'after is not a cursor of this feed' } });
    // The feed's own answer to the same cursor.
    const feed = await gateway.oidc.inject({
      method: 'GET',
      url: `/api/v1/events?after=${past}`,
      headers: { authorization: `Bearer ${await productToken(gateway)}` },
    });
    expect({ status: feed.statusCode, body: JSON.parse(feed.body) as unknown }).toEqual({
      status: replay.status,
      body: replay.body,
    });
    // The head itself is a cursor: nothing after it yet.
    const atHead = await gateway.admin.post(`/admin/v1/subscriptions/${subscription.id}/replay`, {
      after: encodeFeedCursor(head),
    });
    expect(atHead.status).toBe(202);
    expect(atHead.body).toEqual({ replayed: 0, through: encodeFeedCursor(head) });
    expect(await gateway.db.query(`SELECT id, round, status FROM deliveries ORDER BY id`)).toEqual(before);
  });

  it('starts a replay since a time at its first event, found on an index, without walking the older feed', async () => {
    // 5,000 events of ten days ago, already relayed, stamped ahead of the changes replayed below.
    await gateway.db.query(
      `INSERT INTO outbox_events (id, tenant_id, type, subject_type, subject_id, sequence, occurred_at, payload,
                                  published_at, fanned_out_at)
       SELECT gen_random_uuid(), t.id, 'user.updated', 'user', gen_random_uuid()::text, 1, now() - interval '10 days',
              '{}'::jsonb, now(), now()
       FROM tenants t, generate_series(1, 5000) WHERE t.slug = 'acme'`,
    );
    const stamped = async () =>
      (await gateway.db.query(`SELECT 1 FROM outbox_events WHERE feed_position IS NULL`)).length === 0 &&
      (await gateway.db.query(`SELECT 1 FROM deliveries WHERE status = 'pending'`)).length === 0;
    await eventually(stamped, 15_000, 'the old events stamped');
    const [{ oldest }] = await gateway.db.query<{ oldest: string }>(
      `SELECT max(feed_position)::text AS oldest FROM outbox_events WHERE occurred_at < now() - interval '1 day'`,
    );
    const since = new Date(Date.now() - 1);
    const fresh: string[] = [];
    for (const userName of ['dora@acme.test', 'eve@acme.test']) {
      fresh.push((await tenant.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], userName })).body.id as string);
    }
    await eventually(stamped, 15_000, 'the new events stamped and delivered');
    await gateway.db.query(`ANALYZE outbox_events`);

    const replays = gateway.oidc.get(DeliveryReplayRepository, { strict: false });
    const dataSource = gateway.oidc.get(DataSource, { strict: false });
    const batches = jest.spyOn(replays, 'nextBatch');
    const queries = jest.spyOn(dataSource, 'query');
    hook.received.length = 0;
    let response: { status: number; body: any };
    let batchCalls: Parameters<DeliveryReplayRepository['nextBatch']>[];
    let queryCalls: unknown[][];
    try {
      response = await gateway.admin.post(`/admin/v1/subscriptions/${subscription.id}/replay`, {
        since: since.toISOString(),
      });
    } finally {
      // Restoring clears the calls: keep them first.
      batchCalls = [...batches.mock.calls];
      queryCalls = [...queries.mock.calls];
      batches.mockRestore();
      queries.mockRestore();
    }
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ replayed: 2, through: expect.any(String) });
    await eventually(() => hook.accepted().length >= 2, 15_000, 'the replayed deliveries');
    expect(
      hook
        .accepted()
        .map((request) => request.event.subject.id)
        .sort(),
    ).toEqual([...fresh].sort());
    // The walk began after the old events: one batch of what is new, and one that found the end.
    expect(BigInt(batchCalls[0][1].after!)).toBeGreaterThanOrEqual(BigInt(oldest));
    expect(batchCalls.length).toBeLessThanOrEqual(2);
    // And the start was read on the index, over the range since the time only.
    const [startSql, startParams] = queryCalls.find(([sql]) => String(sql).includes('min(o.feed_position)')) as [
      string,
      unknown[],
    ];
    const plan = (await gateway.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${startSql}`, startParams))
      .map((row) => row['QUERY PLAN'])
      .join('\n');
    expect(plan).toContain('outbox_events_occurred_feed_idx');
  });

  it('sends a signed test event and says how the receiver answered', async () => {
    hook.received.length = 0;
    const response = await gateway.admin.post(`/admin/v1/subscriptions/${subscription.id}/test`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      event: expect.objectContaining({ type: 'webhook.test', subject: { type: 'subscription', id: subscription.id } }),
      status: 204,
      ok: true,
      error: null,
      latencyMs: expect.any(Number),
    });
    expect(hook.received).toHaveLength(1);
    const [request] = hook.received;
    expect(request.headers['webhook-id']).toBe(response.body.event.id);
    expect(() =>
      new Webhook(subscription.secret).verify(request.body, request.headers as Record<string, string>),
    ).not.toThrow();

    hook.respondWith(() => 500);
    const failing = await gateway.admin.post(`/admin/v1/subscriptions/${subscription.id}/test`);
    hook.respondWith(() => 204);
    expect(failing.body).toMatchObject({ status: 500, ok: false });

    const queue = await gateway.admin.post('/admin/v1/subscriptions', {
      name: 'internal',
      queue: 'identity-internal',
      events: ['user.*'],
    });
    expect((await gateway.admin.post(`/admin/v1/subscriptions/${queue.body.id}/test`)).status).toBe(422);
  });

  it('does both from the CLI', async () => {
    await gateway.oidc.listen(0, '127.0.0.1');
    const env = childEnv({ PUBLIC_URL: await gateway.oidc.getUrl(), ADMIN_TOKEN: gateway.config.adminToken });
    const cli = (...args: string[]) => runNode(distEntry('cli'), args, env);
    await eventually(
      async () => (await gateway.db.query(`SELECT 1 FROM deliveries WHERE status = 'pending'`)).length === 0,
      15_000,
      'earlier deliveries done',
    );
    hook.received.length = 0;
    const tested = await cli('subscriptions', 'test', subscription.id);
    expect(tested.code).toBe(0);
    expect(tested.stdout).toMatch(/^The receiver answered 204 in \d+ ms \(test event [0-9a-f-]{36}\)\./);

    const replayed = await cli(
      '--json',
      'subscriptions',
      'replay',
      subscription.id,
      '--since',
      new Date(Date.now() - 3_600_000).toISOString(),
      '--types',
      'user.deactivated',
    );
    expect(replayed.code).toBe(0);
    expect(JSON.parse(replayed.stdout)).toEqual({ replayed: 1, through: expect.any(String) });
    await eventually(() => hook.accepted().some((r) => r.event.type === 'user.deactivated'), 15_000, 'the replay');

    const refused = await cli('subscriptions', 'replay', subscription.id);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('give exactly one of after');
  });
});
