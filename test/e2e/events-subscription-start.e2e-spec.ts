import { EventsGateway, startEventsGateway } from '../support/events-gateway';
import { ScimTenant, USER_SCHEMA } from '../support/scim-client';
import { WebhookReceiver, eventually, startWebhookReceiver } from '../support/webhook-receiver';

/**
 * What the README promises a new subscriber: the events of changes made after
 * the subscription was created, and none from before (they are not replayed).
 */
describe('a new subscription starts with the changes after it', () => {
  let gateway: EventsGateway;
  let tenant: ScimTenant;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    gateway = await startEventsGateway();
    tenant = await gateway.tenant('acme');
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await gateway?.close();
  });

  const createUser = async (userName: string): Promise<string> => {
    const response = await tenant.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], userName });
    expect(response.status).toBe(201);
    return response.body.id as string;
  };

  it('receives a user created after it, never one created before', async () => {
    const before = await createUser('before@acme.example');
    // The worker has matched the earlier event against the subscriptions of its time: none.
    await eventually(async () => {
      const [row] = await gateway.db.query<{ done: boolean }>(
        `SELECT fanned_out_at IS NOT NULL AS done FROM outbox_events WHERE subject_id = $1 AND type = 'user.created'`,
        [before],
      );
      return row?.done;
    }, 30_000);

    const created = await gateway.admin.post('/admin/v1/subscriptions', {
      name: 'late-comer',
      url: receiver.url,
      events: ['user.*'],
      tenant: 'acme',
    });
    expect(created.status).toBe(201);
    const after = await createUser('after@acme.example');

    const received = await eventually(
      () => receiver.accepted().find((request) => request.event?.subject?.id === after),
      30_000,
      'the later user.created',
    );
    expect(received.event).toMatchObject({ type: 'user.created', data: { userName: 'after@acme.example' } });
    expect(receiver.received.filter((request) => request.event?.subject?.id === before)).toEqual([]);
    // Nor will it ever arrive: no delivery of the earlier event was recorded for the subscription.
    const deliveries = await gateway.db.query<{ subjectId: string }>(
      `SELECT subject_id AS "subjectId" FROM deliveries WHERE subscription_id = $1`,
      [created.body.id],
    );
    expect(deliveries.map((d) => d.subjectId)).toEqual([after]);
  });
});
