import { QueueName, deliveryJobId } from '@app/identity/deliveries/delivery-jobs';
import { EventQueues } from '@app/identity/deliveries/event-queues';
import { RepairDeliveriesProcessor } from '../../apps/worker/src/maintenance/repair-deliveries.processor';
import { EventsGateway, startEventsGateway } from '../support/events-gateway';
import { USER_SCHEMA } from '../support/scim-client';
import { WebhookReceiver, eventually, startWebhookReceiver } from '../support/webhook-receiver';

const USERS = 6;

/** A pending delivery whose BullMQ job vanished (Redis lost its data) is queued again by the repair round. */
describe('events: repair of deliveries whose job vanished', () => {
  let gateway: EventsGateway;
  let hook: WebhookReceiver;

  beforeAll(async () => {
    // A 60 s base: each first retry waits ~1 min, long enough to take its job away first.
    gateway = await startEventsGateway({ overrides: { deliveryBackoffMs: 60_000 } });
    hook = await startWebhookReceiver(() => 503);
  });
  afterAll(async () => {
    await gateway.close();
    await hook.close();
  });

  interface Row {
    id: string;
    eventId: string;
    round: number;
    status: string;
    attempts: number;
  }

  it('re-queues every pending delivery with no job, exactly once, and leaves those with a job alone', async () => {
    const tenant = await gateway.tenant('repair');
    const subscription = await gateway.admin.post('/admin/v1/subscriptions', {
      name: 'repair',
      url: hook.url,
      events: ['user.created'],
      tenant: tenant.slug,
    });
    expect(subscription.status).toBe(201);
    for (let i = 0; i < USERS; i++) {
      const response = await tenant.send('POST', '/scim/v2/Users', {
        schemas: [USER_SCHEMA],
        userName: `u${i}@repair.test`,
      });
      expect(response.status).toBe(201);
    }
    const rows = (): Promise<Row[]> =>
      gateway.db.query<Row>(
        `SELECT id, event_id AS "eventId", round, status, attempts FROM deliveries WHERE subscription_id = $1 ORDER BY sequence, created_at`,
        [subscription.body.id],
      );
    const queue = gateway.worker!.get(EventQueues).queue(QueueName.Deliveries);
    // Each first attempt failed (503) and its retry waits, delayed, in BullMQ.
    const pending = await eventually(
      async () => {
        const all = await rows();
        if (all.length !== USERS || all.some((row) => row.status !== 'pending' || row.attempts !== 1)) return false;
        const states = await Promise.all(all.map((row) => queue.getJobState(deliveryJobId(row.id, row.round))));
        return states.every((state) => state === 'delayed') && all;
      },
      15_000,
      'every first attempt failed and its retry scheduled',
    );

    // Redis "loses" the jobs of all but the last delivery; every row looks long idle.
    const [kept, ...lost] = [pending[pending.length - 1], ...pending.slice(0, -1)];
    for (const row of lost) await queue.remove(deliveryJobId(row.id, row.round));
    for (const row of lost) expect(await queue.getJob(deliveryJobId(row.id, row.round))).toBeUndefined();
    await gateway.db.query(`UPDATE deliveries SET updated_at = now() - interval '1 hour' WHERE subscription_id = $1`, [
      subscription.body.id,
    ]);
    hook.respondWith(() => 204);
    const before = hook.received.length;
    expect(before).toBe(USERS);

    const repair = gateway.worker!.get(RepairDeliveriesProcessor);
    expect(await repair.repairOnce()).toBe(lost.length);

    await eventually(
      async () => (await rows()).filter((row) => row.status === 'delivered').length === lost.length,
      15_000,
      'every repaired delivery delivered',
    );
    // Nothing more to repair: the delivered rows are done, the kept one still has its job.
    expect(await repair.repairOnce()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 500));

    const after = hook.received.slice(before);
    const count = new Map<string, number>();
    for (const request of after) count.set(request.event.id, (count.get(request.event.id) ?? 0) + 1);
    expect([...count.keys()].sort()).toEqual(lost.map((row) => row.eventId).sort());
    expect([...count.values()].every((n) => n === 1)).toBe(true);

    const final = await rows();
    for (const row of final.filter((r) => r.id !== kept.id))
      expect(row).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(final.find((r) => r.id === kept.id)).toMatchObject({ status: 'pending', attempts: 1 });
    expect(await queue.getJobState(deliveryJobId(kept.id, kept.round))).toBe('delayed');
  });
});
