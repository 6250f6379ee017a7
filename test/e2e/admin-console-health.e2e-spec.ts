import { Reflector } from '@nestjs/core';
import { EventQueues } from '@app/identity/deliveries/event-queues';
import { DELIVERY_HEALTH_SQL } from '@app/identity/monitoring/delivery-health.repository';
import { TENANTS_OVERVIEW_SQL } from '@app/identity/monitoring/tenants-overview.repository';
import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { ConsoleController } from '../../apps/oidc/src/admin/console.controller';
import { DeliveryHealthController } from '../../apps/oidc/src/admin/delivery-health.controller';
import { GroupRolesController } from '../../apps/oidc/src/admin/group-roles.controller';
import { PORTAL_SCOPE } from '../../apps/oidc/src/admin/portal-scope.decorator';
import { ProvisioningController } from '../../apps/oidc/src/admin/provisioning.controller';
import { ScimTokensController } from '../../apps/oidc/src/admin/scim-tokens.controller';
import { TenantGroupsController } from '../../apps/oidc/src/admin/tenant-groups.controller';
import { SESSION_EVENTS_SUBSCRIPTION } from '../../apps/oidc/src/sessions/session-terminator';
import { adminRequests } from '../support/admin-requests';
import { IdpClient, ScimAndAdmin, startScimAndAdmin } from '../support/scim-and-admin';
import { TcpProxy } from '../support/tcp-proxy';
import { TEST_REDIS_URL } from '../support/test-environment';
import { startTestApp } from '../support/test-app';

const NOPE = { authorization: 'Bearer nope-nope-nope-nope-nope-nope' };

/**
 * What the portal's activity step and the operators' console read: the delivery health of
 * the subscriptions that receive a tenant's events, every tenant's health in one query, and
 * the BullMQ queues' counts from Redis.
 */
describe('admin API: delivery health, tenants overview and queues', () => {
  let gw: ScimAndAdmin;
  let acme: IdpClient;
  let globex: IdpClient;
  const tenantIds: Record<string, string> = {};

  beforeAll(async () => {
    gw = await startScimAndAdmin();
    acme = await gw.tenant('acme');
    globex = await gw.tenant('globex');
    await gw.admin.post('/admin/v1/tenants', { slug: 'quiet', name: 'Quiet Co' });
    for (const row of await gw.db.query<{ id: string; slug: string }>('SELECT id, slug FROM tenants')) {
      tenantIds[row.slug] = row.id;
    }
  });
  afterAll(() => gw.close());

  describe('GET tenants/:slug/delivery-health', () => {
    const subscriptionIds: Record<string, string> = {};

    /** A delivery of one of the tenant's events, `ageHours` old. */
    const delivery = async (subscription: string, slug: string, status: string, ageHours = 1, attempts = 1) => {
      const eventId = (
        await gw.db.query<{ id: string }>(
          `INSERT INTO outbox_events (id, tenant_id, type, subject_type, subject_id, sequence, occurred_at, payload)
           VALUES (gen_random_uuid(), $1, 'user.created', 'user', gen_random_uuid()::text, 1, now(), '{}')
           RETURNING id`,
          [tenantIds[slug]],
        )
      )[0].id;
      await gw.db.query(
        `INSERT INTO deliveries (subscription_id, event_id, event_type, subject_type, subject_id, sequence, occurred_at,
                                 status, attempts, created_at, updated_at)
         VALUES ($1, $2, 'user.created', 'user', 'x', 1, now(), $3, $4,
                 now() - $5 * interval '1 hour', now() - $5 * interval '1 hour')`,
        [subscriptionIds[subscription], eventId, status, attempts, ageHours],
      );
    };

    beforeAll(async () => {
      const create = async (key: string, body: Record<string, unknown>) => {
        const response = await gw.admin.post('/admin/v1/subscriptions', body);
        expect(response.status).toBe(201);
        subscriptionIds[key] = response.body.id as string;
      };
      await create('everyone', { name: 'Data warehouse', queue: 'warehouse', events: ['user.*'] });
      await create('acmeOnly', {
        name: 'Acme CRM',
        url: 'http://127.0.0.1:9/hook',
        events: ['user.created'],
        tenant: 'acme',
      });
      await create('globexOnly', { name: 'Globex app', queue: 'globex-app', events: ['user.*'], tenant: 'globex' });

      await delivery('acmeOnly', 'acme', 'delivered');
      await delivery('acmeOnly', 'acme', 'delivered');
      await delivery('acmeOnly', 'acme', 'failed', 2, 8);
      await delivery('acmeOnly', 'acme', 'pending', 0, 0);
      await delivery('acmeOnly', 'acme', 'delivered', 30); // older than a day: not counted
      await delivery('everyone', 'acme', 'delivered');
      await delivery('everyone', 'acme', 'pending', 3, 2); // waiting for a retry: a failure
      await delivery('everyone', 'globex', 'delivered'); // another tenant's event: not acme's
      await delivery('everyone', 'globex', 'failed');
      await delivery('globexOnly', 'globex', 'failed');
    });

    const health = async (slug: string) => {
      const response = await gw.admin.get(`/admin/v1/tenants/${slug}/delivery-health`);
      expect(response.status).toBe(200);
      return response.body.subscriptions as Record<string, unknown>[];
    };

    it('counts the last day’s deliveries of the tenant’s own and all-tenant subscriptions', async () => {
      const [acmeOnlyFailure] = await gw.db.query<{ at: Date }>(
        `SELECT max(updated_at) AS at FROM deliveries WHERE subscription_id = $1 AND status = 'failed'`,
        [subscriptionIds.acmeOnly],
      );
      const [everyoneRetry] = await gw.db.query<{ at: Date }>(
        `SELECT d.updated_at AS at FROM deliveries d JOIN outbox_events e ON e.id = d.event_id
          WHERE d.subscription_id = $1 AND d.status = 'pending' AND e.tenant_id = $2`,
        [subscriptionIds.everyone, tenantIds.acme],
      );
      expect(await health('acme')).toEqual([
        // The gateway's own subscription (it ends the sessions of deactivated users) receives them too.
        expect.objectContaining({ id: SESSION_EVENTS_SUBSCRIPTION.id, delivered24h: 0, failed24h: 0, pending: 0 }),
        {
          id: subscriptionIds.everyone,
          name: 'Data warehouse',
          kind: 'queue',
          enabled: true,
          delivered24h: 1,
          failed24h: 0,
          pending: 1,
          lastFailureAt: everyoneRetry.at.toISOString(),
        },
        {
          id: subscriptionIds.acmeOnly,
          name: 'Acme CRM',
          kind: 'webhook',
          enabled: true,
          delivered24h: 2,
          failed24h: 1,
          pending: 1,
          lastFailureAt: acmeOnlyFailure.at.toISOString(),
        },
      ]);
    });

    it('shows another tenant only what receives its own events', async () => {
      const globexHealth = await health('globex');
      expect(globexHealth.map((s) => [s.name, s.delivered24h, s.failed24h, s.pending])).toEqual([
        [SESSION_EVENTS_SUBSCRIPTION.name, 0, 0, 0],
        ['Data warehouse', 1, 1, 0],
        ['Globex app', 0, 1, 0],
      ]);
      expect(await health('quiet')).toEqual([
        expect.objectContaining({ name: SESSION_EVENTS_SUBSCRIPTION.name }),
        expect.objectContaining({
          name: 'Data warehouse',
          delivered24h: 0,
          failed24h: 0,
          pending: 0,
          lastFailureAt: null,
        }),
      ]);
    });

    it('answers 404 for an unknown tenant and 401 without the admin token', async () => {
      expect((await gw.admin.get('/admin/v1/tenants/nobody/delivery-health')).status).toBe(404);
      expect((await gw.admin.send('GET', '/admin/v1/tenants/acme/delivery-health', undefined, NOPE)).status).toBe(401);
    });

    it('reads deliveries through their indexes, never a scan of the table', async () => {
      await gw.db.query('ANALYZE');
      await gw.db.query('SET enable_seqscan = off');
      const rows = await gw.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${DELIVERY_HEALTH_SQL}`, [tenantIds.acme]);
      await gw.db.query('RESET enable_seqscan');
      const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(plan).not.toMatch(/Seq Scan on deliveries/);
      expect(plan).not.toMatch(/Seq Scan on outbox_events/);
    });
  });

  describe('GET overview', () => {
    it('shows every tenant’s health at a glance', async () => {
      // An old request, outside the day's counts.
      await gw.db.query(
        `INSERT INTO scim_request_log (tenant_id, occurred_at, method, path, status, duration_ms)
         VALUES ($1, now() - interval '2 days', 'GET', '/scim/v2/Users', 500, 3)`,
        [tenantIds.acme],
      );
      await acme.user('ann@acme.example');
      const bob = await acme.user('bob@acme.example');
      await acme.group('Engineering', [bob]);
      expect((await acme.send('GET', '/scim/v2/Users/00000000-0000-0000-0000-000000000000')).status).toBe(404);
      await globex.user('zed@globex.example');
      await gw.flushRequestLog();
      // Bob signed in an hour ago.
      await gw.db.query(`UPDATE users SET last_sign_in_at = now() - interval '1 hour' WHERE id = $1`, [bob]);

      const response = await gw.admin.get('/admin/v1/overview');
      expect(response.status).toBe(200);
      const [lastAcme] = await gw.db.query<{ at: Date }>(
        'SELECT max(occurred_at) AS at FROM scim_request_log WHERE tenant_id = $1',
        [tenantIds.acme],
      );
      expect(response.body.tenants).toEqual([
        {
          slug: 'acme',
          name: 'acme',
          lastScimRequestAt: lastAcme.at.toISOString(),
          scimRequests24h: 4,
          scimErrorRate24h: 0.25,
          users: 2,
          groups: 1,
          signIns24h: 1,
        },
        {
          slug: 'globex',
          name: 'globex',
          lastScimRequestAt: expect.any(String),
          scimRequests24h: 1,
          scimErrorRate24h: 0,
          users: 1,
          groups: 0,
          signIns24h: 0,
        },
        {
          slug: 'quiet',
          name: 'Quiet Co',
          lastScimRequestAt: null,
          scimRequests24h: 0,
          scimErrorRate24h: 0,
          users: 0,
          groups: 0,
          signIns24h: 0,
        },
      ]);
    });

    it('is one statement for every tenant: no query per tenant', () => {
      expect(TENANTS_OVERVIEW_SQL).not.toMatch(/\$1/);
      expect(
        TENANTS_OVERVIEW_SQL.trim()
          .split(';')
          .filter((part) => part.trim() !== ''),
      ).toHaveLength(1);
    });

    it('is for operators only: 401 without the admin token', async () => {
      expect((await gw.admin.send('GET', '/admin/v1/overview', undefined, NOPE)).status).toBe(401);
      expect((await gw.admin.send('GET', '/admin/v1/queues', undefined, NOPE)).status).toBe(401);
    });
  });

  describe('GET queues', () => {
    it('counts the jobs of each of the gateway’s queues, from Redis', async () => {
      await gw.oidc
        .get(EventQueues)
        .addFanOuts(['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222']);
      const response = await gw.admin.get('/admin/v1/queues');
      expect(response.status).toBe(200);
      const zero = { waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0 };
      expect(response.body.queues).toEqual([
        { name: 'gateway-fan-out', ...zero, waiting: 2 },
        { name: 'gateway-deliveries', ...zero },
        { name: 'gateway-maintenance', ...zero },
        { name: 'gateway-backchannel-logouts', ...zero },
      ]);
    });

    it('answers 503 within seconds while Redis is away', async () => {
      const [host, port] = new URL(TEST_REDIS_URL).host.split(':');
      const proxy = new TcpProxy(host, Number(port || 6379));
      const proxyPort = await proxy.start();
      const app = await startTestApp(createOidcApp, { redisUrl: `redis://127.0.0.1:${proxyPort}` });
      try {
        const admin = adminRequests(app.app, app.config.adminToken);
        expect((await admin.get('/admin/v1/queues')).status).toBe(200);
        await proxy.stop();
        const started = Date.now();
        const response = await admin.get('/admin/v1/queues');
        expect(response.status).toBe(503);
        expect(response.body.error).toEqual({ code: 'unavailable', message: expect.stringContaining('queues') });
        expect(Date.now() - started).toBeLessThan(5000);
      } finally {
        await proxy.start();
        await app.close();
        await proxy.stop();
      }
    });
  });

  it('marks the portal’s routes with the scope they need, and the console’s with none', () => {
    const reflector = new Reflector();
    const scope = (handler: object) => reflector.get<string | undefined>(PORTAL_SCOPE, handler as never);
    const routes: [object, string | undefined][] = [
      [ScimTokensController.prototype.issue, 'scim'],
      [ScimTokensController.prototype.list, 'scim'],
      [ScimTokensController.prototype.revoke, 'scim'],
      [ScimTokensController.prototype.rotate, 'scim'],
      [ScimTokensController.prototype.completeRotation, 'scim'],
      [ScimTokensController.prototype.cancelRotation, 'scim'],
      [ProvisioningController.prototype.status, 'scim'],
      [TenantGroupsController.prototype.list, 'roles'],
      [GroupRolesController.prototype.get, 'roles'],
      [GroupRolesController.prototype.replace, 'roles'],
      [GroupRolesController.prototype.preview, 'roles'],
      [DeliveryHealthController.prototype.get, 'logs'],
      [ConsoleController.prototype.overview, undefined],
      [ConsoleController.prototype.queues, undefined],
    ];
    for (const [handler, expected] of routes) expect(scope(handler)).toBe(expected);
  });
});
