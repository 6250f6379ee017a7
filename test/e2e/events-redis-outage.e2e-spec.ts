import { EventsGateway, startEventsGateway } from '../support/events-gateway';
import { TestRedisServer, startRedisServer } from '../support/redis-server';
import { USER_SCHEMA } from '../support/scim-client';
import { WebhookReceiver, eventually, startWebhookReceiver } from '../support/webhook-receiver';

/** "No committed change is lost, even while Redis is down": events wait in PostgreSQL and go out when it is back. */
describe('events: Redis outage', () => {
  let redis: TestRedisServer;
  let gateway: EventsGateway;
  let hook: WebhookReceiver;

  beforeAll(async () => {
    redis = await startRedisServer();
    gateway = await startEventsGateway({ overrides: { redisUrl: redis.url } });
    hook = await startWebhookReceiver();
    expect(
      (await gateway.admin.post('/admin/v1/subscriptions', { name: 'all', url: hook.url, events: ['user.created'] }))
        .status,
    ).toBe(201);
  });
  afterAll(async () => {
    await gateway.close();
    await hook.close();
    await redis.stop();
  });

  it('keeps provisioning while Redis is down and delivers all 100 users after it restarts', async () => {
    const tenant = await gateway.tenant('outage');
    // The path works before the outage.
    expect(
      (await tenant.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], userName: 'before@outage.test' })).status,
    ).toBe(201);
    await eventually(() => hook.received.length >= 1, 15_000, 'the first delivery');

    await redis.stop();
    const ids: string[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          tenant.send('POST', '/scim/v2/Users', {
            schemas: [USER_SCHEMA],
            userName: `user${batch * 10 + i}@outage.test`,
          }),
        ),
      );
      for (const response of responses) {
        expect(response.status).toBe(201);
        ids.push(response.body.id as string);
      }
    }
    // The events are committed and wait in the outbox; nothing reached the receiver.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const [{ waiting }] = await gateway.db.query<{ waiting: number }>(
      `SELECT count(*)::int AS waiting FROM outbox_events WHERE published_at IS NULL`,
    );
    expect(waiting).toBe(100);
    expect(hook.received).toHaveLength(1);

    await redis.start();
    await eventually(() => new Set(hook.received.map((r) => r.event.id)).size >= 101, 60_000, 'all 101 deliveries');
    const delivered = new Set(hook.received.map((r) => r.event.subject.id as string));
    expect(ids.filter((id) => !delivered.has(id))).toEqual([]);
    const [{ unpublished }] = await gateway.db.query<{ unpublished: number }>(
      `SELECT count(*)::int AS unpublished FROM outbox_events WHERE published_at IS NULL`,
    );
    expect(unpublished).toBe(0);
    await eventually(
      async () => {
        const rows = await gateway.db.query<{ status: string; count: number }>(
          `SELECT status, count(*)::int AS count FROM deliveries GROUP BY status`,
        );
        return rows.length === 1 && rows[0].status === 'delivered' && rows[0].count === 101;
      },
      10_000,
      'every delivery recorded as delivered',
    );
  });
});
