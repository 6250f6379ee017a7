import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { OutboxService } from '@app/identity';
import { EventsGateway, startEventsGateway } from '../support/events-gateway';
import { ENTERPRISE_USER_SCHEMA, ScimTenant, USER_SCHEMA, patchOp } from '../support/scim-client';
import { GROUP_SCHEMA } from '../support/scim-groups-client';
import { WebhookReceiver, eventually, startWebhookReceiver } from '../support/webhook-receiver';

/** `previous` on `*.updated` events: SCIM PUT/PATCH → outbox → the events feed and webhook bodies, the same objects. */
describe('events: previous values of updated fields', () => {
  let gateway: EventsGateway;
  let tenant: ScimTenant;
  let hook: WebhookReceiver;
  let token: string;

  beforeAll(async () => {
    gateway = await startEventsGateway();
    tenant = await gateway.tenant('previous');
    hook = await startWebhookReceiver();
    const subscribed = await gateway.admin.post('/admin/v1/subscriptions', {
      name: 'previous values',
      url: hook.url,
      events: ['user.*', 'group.*'],
      tenant: tenant.slug,
    });
    expect(subscribed.status).toBe(201);
    const client = await gateway.admin.post('/admin/v1/clients', {
      name: 'reader',
      grantTypes: ['client_credentials'],
      tenants: [tenant.slug],
    });
    expect(client.status).toBe(201);
    const { clientId, clientSecret } = client.body as { clientId: string; clientSecret: string };
    const issued = await gateway.oidc.inject({
      method: 'POST',
      url: '/oidc/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
      },
      payload: new URLSearchParams({ grant_type: 'client_credentials', scope: 'events:read' }).toString(),
    });
    expect(issued.statusCode).toBe(200);
    token = (JSON.parse(issued.body) as { access_token: string }).access_token;
  });
  afterAll(async () => {
    await gateway.close();
    await hook.close();
  });

  /** Every event of the tenant in the feed so far. */
  const feed = async (): Promise<any[]> => {
    const events: any[] = [];
    let cursor = '';
    for (;;) {
      const response = await gateway.oidc.inject({
        method: 'GET',
        url: `/api/v1/events?tenant=${tenant.slug}&limit=1000${cursor ? `&after=${cursor}` : ''}`,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.statusCode).toBe(200);
      const page = JSON.parse(response.body) as { data: any[]; nextCursor: string; hasMore: boolean };
      events.push(...page.data);
      cursor = page.nextCursor;
      if (!page.hasMore) return events;
    }
  };

  const ok = async (response: Promise<{ status: number }>, status = 200): Promise<void> => {
    expect((await response).status).toBe(status);
  };

  it('reports the old values of the changed fields on user.updated and group.updated, in the feed and in webhooks alike', async () => {
    const created = await tenant.send('POST', '/scim/v2/Users', {
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      userName: 'ann@previous.test',
      name: { givenName: 'Ann', familyName: 'Lee' },
      emails: [{ value: 'ann@previous.test', type: 'work', primary: true }],
      [ENTERPRISE_USER_SCHEMA]: { department: 'Sales' },
      password: 'first-Secret-1',
    });
    expect(created.status).toBe(201);
    const userId = created.body.id as string;

    // PUT: a sub-attribute of name, a new title, a removed extension, a password and a deactivation at once.
    await ok(
      tenant.send('PUT', `/scim/v2/Users/${userId}`, {
        schemas: [USER_SCHEMA],
        userName: 'ann@previous.test',
        name: { givenName: 'Anna', familyName: 'Lee' },
        emails: [{ value: 'ann@previous.test', type: 'work', primary: true }],
        title: 'Engineer',
        active: false,
        password: 'second-Secret-2',
      }),
    );
    // PATCH one field; then a PATCH that changes nothing, which records no event at all.
    await ok(
      tenant.send('PATCH', `/scim/v2/Users/${userId}`, patchOp({ op: 'replace', path: 'title', value: 'Lead' })),
    );
    await ok(
      tenant.send('PATCH', `/scim/v2/Users/${userId}`, patchOp({ op: 'replace', path: 'title', value: 'Lead' })),
    );

    const group = await tenant.send('POST', '/scim/v2/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Sales' });
    expect(group.status).toBe(201);
    const groupId = group.body.id as string;
    // A rename and a new member in one PATCH: group.updated carries the old name; member_added carries nothing more.
    await ok(
      tenant.send(
        'PATCH',
        `/scim/v2/Groups/${groupId}`,
        patchOp(
          { op: 'replace', path: 'displayName', value: 'Revenue' },
          { op: 'add', path: 'members', value: [{ value: userId }] },
        ),
      ),
      204,
    );
    // A membership change alone is no group.updated.
    await ok(
      tenant.send(
        'PATCH',
        `/scim/v2/Groups/${groupId}`,
        patchOp({ op: 'remove', path: `members[value eq "${userId}"]` }),
      ),
      204,
    );

    const events = await eventually(
      async () => {
        const read = await feed();
        return read.length >= 9 && read;
      },
      15_000,
      'nine events in the feed',
    );
    expect(events.map((event) => [event.type, event.previous])).toEqual([
      ['user.created', undefined],
      [
        'user.updated',
        {
          name: { givenName: 'Ann', familyName: 'Lee' },
          title: null,
          active: true,
          [ENTERPRISE_USER_SCHEMA]: { department: 'Sales' },
          schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
        },
      ],
      ['user.deactivated', undefined],
      ['user.password_changed', undefined],
      ['user.updated', { title: 'Engineer' }],
      ['group.created', undefined],
      ['group.updated', { displayName: 'Sales' }],
      ['group.member_added', undefined],
      ['group.member_removed', undefined],
    ]);
    // `previous` sits beside `data`, which holds the values after the change; neither ever holds a password.
    expect(events[1].data).toMatchObject({ name: { givenName: 'Anna' }, title: 'Engineer', active: false });
    expect(events.filter((event) => 'previous' in event).map((event) => event.type)).toEqual([
      'user.updated',
      'user.updated',
      'group.updated',
    ]);
    expect(JSON.stringify(events)).not.toMatch(/Secret-|"password"/);

    // Webhook bodies are the same stored objects: equal, `previous` included.
    await eventually(() => hook.accepted().length >= 9, 15_000, 'nine deliveries');
    const delivered = new Map(hook.accepted().map((request) => [request.event.id as string, request.event]));
    for (const event of events) expect(delivered.get(event.id)).toEqual(event);
  });

  it('keeps previous off every type but user.updated and group.updated, whatever a caller passes', async () => {
    const outbox = gateway.scim.get(OutboxService);
    const subject = { type: 'user' as const, id: randomUUID() };
    const recorded = await gateway.scim.get(DataSource).transaction((em) =>
      outbox.appendMany(
        em,
        (['user.updated', 'user.deactivated', 'user.roles_changed'] as const).map((type) => ({
          type,
          tenant: { id: tenant.id, slug: tenant.slug },
          subject,
          data: { id: subject.id },
          previous: { title: 'Old' },
        })),
      ),
    );
    const stored = await gateway.db.query<{ type: string; payload: Record<string, unknown> }>(
      `SELECT type, payload FROM outbox_events WHERE subject_id = $1 ORDER BY sequence`,
      [subject.id],
    );
    expect(stored.map((row) => [row.type, row.payload['previous']])).toEqual([
      ['user.updated', { title: 'Old' }],
      ['user.deactivated', undefined],
      ['user.roles_changed', undefined],
    ]);
    expect(recorded.map((event) => 'previous' in event)).toEqual([true, false, false]);
  });

  it('records no update event for a PUT that changes nothing', async () => {
    const body = { schemas: [USER_SCHEMA], userName: 'bob@previous.test', displayName: 'Bob' };
    const created = await tenant.send('POST', '/scim/v2/Users', body);
    expect(created.status).toBe(201);
    // The feed shows an event once the worker has stamped it: wait for user.created before counting.
    const before = (
      await eventually(
        async () => {
          const read = await feed();
          return read.some((event) => event.subject.id === created.body.id) && read;
        },
        15_000,
        'the user.created event',
      )
    ).length;
    await ok(tenant.send('PUT', `/scim/v2/Users/${created.body.id}`, body));
    const group = await tenant.send('POST', '/scim/v2/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Quiet' });
    await ok(tenant.send('PUT', `/scim/v2/Groups/${group.body.id}`, { schemas: [GROUP_SCHEMA], displayName: 'Quiet' }));
    const after = await eventually(
      async () => {
        const read = await feed();
        return read.length > before && read;
      },
      15_000,
      'the group.created event',
    );
    expect(after.slice(before).map((event) => event.type)).toEqual(['group.created']);
  });
});
