import { SecretBox } from '@app/identity/secrets/secret-box';
import { Webhook } from 'standardwebhooks';
import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { adminRequests } from '../support/admin-requests';
import { TestApp, startTestApp } from '../support/test-app';

describe('admin API: subscriptions', () => {
  let gateway: TestApp;
  let admin: ReturnType<typeof adminRequests>;
  const webhook = {
    name: 'CRM sync',
    url: 'https://crm.example.com/hooks/identity',
    events: ['user.*', 'group.created'],
  };

  beforeAll(async () => {
    gateway = await startTestApp(createOidcApp);
    admin = adminRequests(gateway.app, gateway.config.adminToken);
    expect((await admin.post('/admin/v1/tenants', { slug: 'acme', name: 'Acme' })).status).toBe(201);
  });
  afterAll(() => gateway.close());

  const count = async (): Promise<number> => (await admin.get('/admin/v1/subscriptions')).body.subscriptions.length;

  describe('authentication', () => {
    it.each([
      ['GET', '/admin/v1/subscriptions'],
      ['POST', '/admin/v1/subscriptions'],
      ['GET', '/admin/v1/subscriptions/00000000-0000-4000-8000-000000000000'],
      ['PATCH', '/admin/v1/subscriptions/00000000-0000-4000-8000-000000000000'],
      ['DELETE', '/admin/v1/subscriptions/00000000-0000-4000-8000-000000000000'],
      ['GET', '/admin/v1/subscriptions/00000000-0000-4000-8000-000000000000/deliveries'],
      [
        'POST',
        '/admin/v1/subscriptions/00000000-0000-4000-8000-000000000000/deliveries/00000000-0000-4000-8000-000000000000/retry',
      ],
    ] as const)('refuses %s %s without the admin token', async (method, url) => {
      const response = await admin.send(method, url, method === 'POST' || method === 'PATCH' ? webhook : undefined, {});
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    });

    it('creates nothing with a wrong token', async () => {
      const before = await count();
      const response = await admin.send('POST', '/admin/v1/subscriptions', webhook, {
        authorization: 'Bearer wrong-token-wrong-token-wrong',
      });
      expect(response.status).toBe(401);
      expect(await count()).toBe(before);
    });
  });

  describe('create', () => {
    it('creates a webhook and shows its secret once, in the Standard Webhooks form', async () => {
      const response = await admin.post('/admin/v1/subscriptions', webhook);
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+=*$/),
      });
      const key = Buffer.from((response.body.secret as string).slice('whsec_'.length), 'base64');
      expect(key.length).toBeGreaterThanOrEqual(24);
      // The secret is usable as it is by the receiver's library.
      expect(() => new Webhook(response.body.secret as string)).not.toThrow();

      const shown = await admin.get(`/admin/v1/subscriptions/${response.body.id}`);
      expect(shown.status).toBe(200);
      expect(shown.body).toEqual({
        id: response.body.id,
        name: 'CRM sync',
        kind: 'webhook',
        url: webhook.url,
        events: ['user.*', 'group.created'],
        tenant: null,
        enabled: true,
        disabledReason: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const listed = await admin.get('/admin/v1/subscriptions');
      expect(JSON.stringify(listed.body)).not.toContain(response.body.secret.slice(6));
      expect(JSON.stringify(shown.body)).not.toContain(response.body.secret.slice(6));
    });

    it('stores the secret encrypted with SECRETS_KEY, never in plaintext', async () => {
      const { body } = await admin.post('/admin/v1/subscriptions', { ...webhook, name: 'sealed' });
      const [row] = await gateway.db.query<{ secret_sealed: Buffer; as_text: string }>(
        `SELECT secret_sealed, encode(secret_sealed, 'escape') AS as_text FROM subscriptions WHERE id = $1`,
        [body.id],
      );
      const secret = body.secret as string;
      const key = Buffer.from(secret.slice(6), 'base64');
      expect(row.secret_sealed.includes(Buffer.from(secret))).toBe(false);
      expect(row.secret_sealed.includes(key)).toBe(false);
      expect(row.as_text).not.toContain(secret.slice(6));
      // Nowhere else in the row either.
      const [whole] = await gateway.db.query<{ text: string }>(
        `SELECT s::text AS text FROM subscriptions s WHERE id = $1`,
        [body.id],
      );
      expect(whole.text).not.toContain(secret.slice(6));
      // It opens with the configured key, bound to this subscription's id.
      const box = new SecretBox(gateway.config.secretsKey);
      expect(box.open(row.secret_sealed, body.id)).toBe(secret);
      expect(() => box.open(row.secret_sealed, '00000000-0000-4000-8000-000000000000')).toThrow();
    });

    it('creates a queue subscription for a tenant, without a secret', async () => {
      const response = await admin.post('/admin/v1/subscriptions', {
        name: 'sessions',
        queue: 'oidc-sessions',
        events: ['user.deactivated'],
        tenant: 'acme',
      });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ id: expect.any(String) });
      const shown = (await admin.get(`/admin/v1/subscriptions/${response.body.id}`)).body;
      expect(shown).toMatchObject({
        kind: 'queue',
        queue: 'oidc-sessions',
        tenant: 'acme',
        events: ['user.deactivated'],
      });
      expect(shown.url).toBeUndefined();
      const [row] = await gateway.db.query<{ secret_sealed: Buffer | null }>(
        `SELECT secret_sealed FROM subscriptions WHERE id = $1`,
        [response.body.id],
      );
      expect(row.secret_sealed).toBeNull();
    });

    it('removes duplicate event patterns', async () => {
      const response = await admin.post('/admin/v1/subscriptions', {
        ...webhook,
        events: ['user.created', 'user.created', '*'],
      });
      expect((await admin.get(`/admin/v1/subscriptions/${response.body.id}`)).body.events).toEqual([
        'user.created',
        '*',
      ]);
    });

    it('refuses an unknown tenant with 404 and creates nothing', async () => {
      const before = await count();
      const response = await admin.post('/admin/v1/subscriptions', { ...webhook, tenant: 'nobody' });
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('not_found');
      expect(await count()).toBe(before);
    });

    it.each([
      ['an unknown event type', { ...webhook, events: ['user.exploded'] }, 'events.0'],
      ['an unknown family', { ...webhook, events: ['users.*'] }, 'events.0'],
      ['no event', { ...webhook, events: [] }, 'events'],
      ['events not a list', { ...webhook, events: 'user.*' }, 'events'],
      ['an ftp URL', { ...webhook, url: 'ftp://example.com/hooks' }, 'url'],
      ['a URL that is no URL', { ...webhook, url: 'not a url' }, 'url'],
      ['a javascript: URL', { ...webhook, url: 'javascript:alert(1)' }, 'url'],
      ['both url and queue', { ...webhook, queue: 'q' }, 'url'],
      ['neither url nor queue', { name: 'x', events: ['user.*'] }, 'url'],
      ['a queue name with a colon', { name: 'x', queue: 'a:b', events: ['user.*'] }, 'queue'],
      ['a queue name with a space', { name: 'x', queue: 'a b', events: ['user.*'] }, 'queue'],
      ['one of the gateway’s own queues', { name: 'x', queue: 'gateway-deliveries', events: ['user.*'] }, 'queue'],
      ['no name', { url: webhook.url, events: ['user.*'] }, 'name'],
      ['a blank name', { ...webhook, name: '  ' }, 'name'],
      ['a bad tenant slug', { ...webhook, tenant: 'Not A Slug' }, 'tenant'],
      ['an unknown field', { ...webhook, secret: 'whsec_mine' }, 'secret'],
    ])('refuses %s with 400 naming the field, and creates nothing', async (_case, body, field) => {
      const before = await count();
      const response = await admin.post('/admin/v1/subscriptions', body);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_request');
      expect(response.body.error.message).toContain(field);
      expect(await count()).toBe(before);
    });

    it('refuses malformed JSON with 400', async () => {
      const before = await count();
      expect((await admin.post('/admin/v1/subscriptions', '{"name":')).status).toBe(400);
      expect(await count()).toBe(before);
    });
  });

  describe('read, change, delete', () => {
    let id: string;
    let queueId: string;
    beforeAll(async () => {
      id = (await admin.post('/admin/v1/subscriptions', { ...webhook, name: 'to change' })).body.id;
      queueId = (await admin.post('/admin/v1/subscriptions', { name: 'q', queue: 'jobs', events: ['group.*'] })).body
        .id;
    });

    it.each(['00000000-0000-4000-8000-000000000000', 'not-a-uuid'])(
      'answers 404 for an unknown subscription (%s)',
      async (unknown) => {
        for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
          const response = await admin.send(
            method,
            `/admin/v1/subscriptions/${unknown}`,
            method === 'PATCH' ? { name: 'x' } : undefined,
          );
          expect(response.status).toBe(404);
          expect(response.body.error.code).toBe('not_found');
        }
      },
    );

    it('lists subscriptions without secrets', async () => {
      const response = await admin.get('/admin/v1/subscriptions');
      expect(response.status).toBe(200);
      const ids = (response.body.subscriptions as { id: string }[]).map((s) => s.id);
      expect(ids).toEqual(expect.arrayContaining([id, queueId]));
      for (const subscription of response.body.subscriptions) expect(Object.keys(subscription)).not.toContain('secret');
    });

    it('changes name, URL, events, tenant and enabled', async () => {
      const response = await admin.patch(`/admin/v1/subscriptions/${id}`, {
        name: 'renamed',
        url: 'http://crm.internal:8080/hooks',
        events: ['group.*'],
        tenant: 'acme',
        enabled: false,
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        id,
        name: 'renamed',
        url: 'http://crm.internal:8080/hooks',
        events: ['group.*'],
        tenant: 'acme',
        enabled: false,
      });
      const widened = await admin.patch(`/admin/v1/subscriptions/${id}`, { tenant: null, enabled: true });
      expect(widened.body).toMatchObject({ tenant: null, enabled: true, name: 'renamed' });
    });

    it.each([
      ['an empty patch', {}],
      ['an unknown event type', { events: ['user.exploded'] }],
      ['a bad URL', { url: 'ftp://x' }],
      ['enabled not a boolean', { enabled: 'yes' }],
      ['an unknown field', { kind: 'queue' }],
      ['a queue on a webhook', { queue: 'jobs' }],
    ])('refuses %s with 400 and changes nothing', async (_case, body) => {
      const before = (await admin.get(`/admin/v1/subscriptions/${id}`)).body;
      const response = await admin.patch(`/admin/v1/subscriptions/${id}`, body);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_request');
      expect((await admin.get(`/admin/v1/subscriptions/${id}`)).body).toEqual(before);
    });

    it('refuses a URL on a queue subscription with 400', async () => {
      const before = (await admin.get(`/admin/v1/subscriptions/${queueId}`)).body;
      expect((await admin.patch(`/admin/v1/subscriptions/${queueId}`, { url: 'https://x.example' })).status).toBe(400);
      expect((await admin.get(`/admin/v1/subscriptions/${queueId}`)).body).toEqual(before);
    });

    it('refuses an unknown tenant with 404 and changes nothing', async () => {
      const before = (await admin.get(`/admin/v1/subscriptions/${id}`)).body;
      const response = await admin.patch(`/admin/v1/subscriptions/${id}`, { tenant: 'nobody', name: 'changed?' });
      expect(response.status).toBe(404);
      expect((await admin.get(`/admin/v1/subscriptions/${id}`)).body).toEqual(before);
    });

    it('deletes a subscription', async () => {
      const doomed = (await admin.post('/admin/v1/subscriptions', { ...webhook, name: 'doomed' })).body.id;
      const before = await count();
      expect((await admin.delete(`/admin/v1/subscriptions/${doomed}`)).status).toBe(204);
      expect((await admin.get(`/admin/v1/subscriptions/${doomed}`)).status).toBe(404);
      expect((await admin.delete(`/admin/v1/subscriptions/${doomed}`)).status).toBe(404);
      expect(await count()).toBe(before - 1);
    });

    it('goes with its tenant', async () => {
      await admin.post('/admin/v1/tenants', { slug: 'short-lived', name: 'Short' });
      const scoped = (await admin.post('/admin/v1/subscriptions', { ...webhook, tenant: 'short-lived' })).body.id;
      expect((await admin.delete('/admin/v1/tenants/short-lived')).status).toBe(204);
      expect((await admin.get(`/admin/v1/subscriptions/${scoped}`)).status).toBe(404);
    });
  });

  describe('Bull Board', () => {
    it('refuses the dashboard without the admin token, and prompts a browser for it', async () => {
      for (const headers of [
        {},
        { authorization: 'Bearer wrong-token-wrong-token-wrong' },
        { authorization: `Basic ${Buffer.from('admin:wrong').toString('base64')}` },
      ]) {
        const response = await gateway.app.inject({ method: 'GET', url: '/admin/queues', headers });
        expect(response.statusCode).toBe(401);
        expect(response.headers['www-authenticate']).toMatch(/^Basic /);
      }
      expect((await gateway.app.inject({ method: 'GET', url: '/admin/queues/api/queues' })).statusCode).toBe(401);
    });

    it('serves the dashboard and its API to the operator', async () => {
      const bearer = { authorization: `Bearer ${gateway.config.adminToken}` };
      const page = await gateway.app.inject({ method: 'GET', url: '/admin/queues', headers: bearer });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      const basic = {
        authorization: `Basic ${Buffer.from(`operator:${gateway.config.adminToken}`).toString('base64')}`,
      };
      const api = await gateway.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: basic });
      expect(api.statusCode).toBe(200);
      const names = (JSON.parse(api.body).queues as { name: string }[]).map((queue) => queue.name);
      expect(names).toEqual(expect.arrayContaining(['gateway-fan-out', 'gateway-deliveries', 'gateway-maintenance']));
    });
  });
});
