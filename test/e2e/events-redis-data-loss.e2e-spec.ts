import { JobName, QueueName, deliveryJobId } from '@app/identity/deliveries/delivery-jobs';
import { EventQueues } from '@app/identity/deliveries/event-queues';
import { Redis } from 'ioredis';
import { EventsGateway, startEventsGateway } from '../support/events-gateway';
import { PATCH_OP_SCHEMA, USER_SCHEMA } from '../support/scim-client';
import { TEST_REDIS_URL } from '../support/test-environment';
import { WebhookReceiver, eventually, startWebhookReceiver } from '../support/webhook-receiver';

/** Deletes every key under `prefix` (the test's own keys only: other tests share this Redis). */
async function loseData(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

/**
 * Redis losing its data (a restart without persistence) takes the jobs of pending
 * deliveries with it. The worker notices within seconds and queues them again,
 * so the lost change, and a later change of the same subject held behind it,
 * arrive within seconds rather than at the quarter-hourly repair.
 */
describe('events: Redis loses its data', () => {
  let gateway: EventsGateway;
  let hook: WebhookReceiver;
  let redis: Redis;

  beforeAll(async () => {
    // A 20 s base: the first retry waits long enough for the test to take its job away first.
    gateway = await startEventsGateway({ overrides: { deliveryBackoffMs: 20_000 } });
    hook = await startWebhookReceiver(() => 503);
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    await gateway.close();
    await hook.close();
    redis.disconnect();
  });

  it('re-queues a lost delivery at once, and the deactivation held behind it follows', async () => {
    const tenant = await gateway.tenant('lossy');
    const subscription = await gateway.admin.post('/admin/v1/subscriptions', {
      name: 'lossy',
      url: hook.url,
      events: ['user.created', 'user.deactivated'],
      tenant: tenant.slug,
    });
    expect(subscription.status).toBe(201);
    const created = await tenant.send('POST', '/scim/v2/Users', {
      schemas: [USER_SCHEMA],
      userName: 'lost@lossy.test',
    });
    expect(created.status).toBe(201);
    const userId = created.body.id as string;

    // The first attempt failed (503) and its retry waits, delayed, in BullMQ.
    const queues = gateway.worker!.get(EventQueues);
    const deliveriesQueue = queues.queue(QueueName.Deliveries);
    const [row] = await eventually(
      async () => {
        const rows = await gateway.db.query<{ id: string; round: number; attempts: number }>(
          `SELECT id, round, attempts FROM deliveries WHERE subscription_id = $1`,
          [subscription.body.id],
        );
        if (rows.length !== 1 || rows[0].attempts !== 1) return false;
        const state = await deliveriesQueue.getJobState(deliveryJobId(rows[0].id, rows[0].round));
        return state === 'delayed' && rows;
      },
      30_000,
      'the first attempt failed and its retry scheduled',
    );

    // Redis loses everything of this gateway: the retry's job, the schedulers, the sentinel.
    expect(await loseData(redis, gateway.config.redisPrefix)).toBeGreaterThan(0);
    const lostAt = Date.now();
    hook.respondWith(() => 204);
    const deactivated = await tenant.send('PATCH', `/scim/v2/Users/${userId}`, {
      schemas: [PATCH_OP_SCHEMA],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(deactivated.status).toBe(200);

    await eventually(
      () =>
        ['user.created', 'user.deactivated'].every((type) =>
          hook.accepted().some((r) => r.event?.type === type && r.body.includes(userId)),
        ),
      90_000,
      'the lost creation and the deactivation behind it delivered',
    );
    // Within seconds (the rest of the first retry's backoff, at most 20 s), not the quarter-hour repair.
    expect(Date.now() - lostAt).toBeLessThan(90_000);
    const types = hook
      .accepted()
      .filter((r) => r.body.includes(userId))
      .map((r) => r.event.type as string);
    // The creation still comes first: the deactivation was held behind it.
    expect(types.indexOf('user.created')).toBeLessThan(types.indexOf('user.deactivated'));
    expect(await gateway.db.query(`SELECT status FROM deliveries WHERE id = $1`, [row.id])).toEqual([
      { status: 'delivered' },
    ]);

    // The maintenance schedules went with the data, and are back.
    const schedulers = await queues.queue(QueueName.Maintenance).getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toEqual(expect.arrayContaining([JobName.RepairDeliveries]));
  }, 180_000);

  it('re-adds the fan-out of an event relayed before the loss, within seconds', async () => {
    const tenant = await gateway.tenant('relayed');
    const subscription = await gateway.admin.post('/admin/v1/subscriptions', {
      name: 'relayed',
      url: hook.url,
      events: ['user.created'],
      tenant: tenant.slug,
    });
    expect(subscription.status).toBe(201);
    hook.respondWith(() => 204);
    // The fan-out queue paused: the relay hands the event over, and its job waits in Redis.
    const fanOut = gateway.worker!.get(EventQueues).queue(QueueName.FanOut);
    await fanOut.pause();
    const created = await tenant.send('POST', '/scim/v2/Users', {
      schemas: [USER_SCHEMA],
      userName: 'held@relayed.test',
    });
    expect(created.status).toBe(201);
    const userId = created.body.id as string;
    await eventually(
      async () => {
        const rows = await gateway.db.query<{ published: boolean; fannedOut: boolean }>(
          `SELECT published_at IS NOT NULL AS published, fanned_out_at IS NOT NULL AS "fannedOut"
           FROM outbox_events WHERE subject_id = $1`,
          [userId],
        );
        return rows.length === 1 && rows[0].published && !rows[0].fannedOut;
      },
      30_000,
      'the event relayed and its fan-out waiting',
    );

    // The job goes with the data (and the pause with it); nothing else would add it for a minute and more.
    expect(await loseData(redis, gateway.config.redisPrefix)).toBeGreaterThan(0);
    const lostAt = Date.now();
    await eventually(
      () => hook.accepted().some((r) => r.event?.type === 'user.created' && r.body.includes(userId)),
      60_000,
      'the event delivered',
    );
    // The relay's own repair looks only at events relayed over a minute ago.
    expect(Date.now() - lostAt).toBeLessThan(45_000);
  }, 180_000);
});
