import { Webhook } from 'standardwebhooks';
import { encodeFeedCursor } from '@app/identity/events-feed/feed-cursor';
import { EventsGateway, startEventsGateway } from '../support/events-gateway';
import { childEnv, distEntry, runNode } from '../support/processes';
import { ScimTenant, USER_SCHEMA } from '../support/scim-client';
import { WebhookReceiver, eventually, startWebhookReceiver } from '../support/webhook-receiver';

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
