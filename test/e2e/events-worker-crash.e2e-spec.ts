import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NewIdentityEvent, OutboxService } from '@app/identity';
import { DataSource } from 'typeorm';
import { EventsGateway, startEventsGateway } from '../support/events-gateway';
import { childEnv, collect, distEntry, freePort, waitFor200 } from '../support/processes';
import { WebhookReceiver, eventually, startWebhookReceiver } from '../support/webhook-receiver';

const EVENTS = 1000;
const SUBJECTS = 200;

/** A worker killed with SIGKILL mid-burst loses nothing: stalled jobs come back, and every step is idempotent. */
describe('events: worker crash', () => {
  let gateway: EventsGateway;
  let hook: WebhookReceiver;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    gateway = await startEventsGateway({ worker: false });
    hook = await startWebhookReceiver();
    expect(
      (await gateway.admin.post('/admin/v1/subscriptions', { name: 'all', url: hook.url, events: ['*'] })).status,
    ).toBe(201);
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await gateway.close();
    await hook.close();
  });

  /** Starts `dist/apps/worker/src/main.js` on the test's database and Redis prefix. */
  const startWorker = async (): Promise<{ child: ChildProcess; stderr: () => string }> => {
    const port = await freePort();
    const child = spawn(process.execPath, [distEntry('worker')], {
      env: childEnv({
        DATABASE_URL: gateway.db.url,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'gw-worker-')),
        REDIS_URL: gateway.config.redisUrl,
        REDIS_PREFIX: gateway.config.redisPrefix,
        SECRETS_KEY: gateway.config.secretsKey.toString('hex'),
        ADMIN_TOKEN: gateway.config.adminToken,
        DELIVERY_BACKOFF_MS: '20',
        // The test's webhook receiver listens on loopback.
        ALLOW_PRIVATE_NETWORKS: 'true',
        WORKER_PORT: String(port),
        LOG_LEVEL: 'warn',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const output = collect(child);
    await waitFor200(`http://127.0.0.1:${port}/health/live`, 30_000);
    return { child, stderr: output.stderr };
  };

  it('delivers every event of a 1,000-event burst at least once after a SIGKILL and a restart', async () => {
    const first = await startWorker();
    const tenant = { id: '6f1b1f9e-5a8e-4c55-9b55-0c8a7c2f2a10', slug: 'burst' };
    const dataSource = gateway.oidc.get(DataSource);
    const outbox = new OutboxService();
    const event = (i: number): NewIdentityEvent => ({
      type: 'user.updated',
      tenant,
      subject: { type: 'user', id: `user-${i % SUBJECTS}` },
      data: { id: `user-${i % SUBJECTS}`, change: i },
    });
    // Ten writers at a time, each change its own transaction, as SCIM commits them.
    const burst = (async () => {
      for (let i = 0; i < EVENTS; i += 10) {
        await Promise.all(
          Array.from({ length: 10 }, (_, j) => dataSource.transaction((em) => outbox.append(em, event(i + j)))),
        );
      }
    })();

    await eventually(() => hook.received.length >= 150, 30_000, 'the burst to be under way');
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    await burst;
    const atKill = new Set(hook.received.map((r) => r.event.id)).size;
    expect(atKill).toBeLessThan(EVENTS);

    const second = await startWorker();
    const ids = await eventually(
      () => {
        const distinct = new Set(hook.received.map((r) => r.event.id as string));
        return distinct.size >= EVENTS && distinct;
      },
      60_000,
      'every event delivered',
    ).catch((error: Error) => {
      throw new Error(
        `${error.message} (${new Set(hook.received.map((r) => r.event.id)).size} of ${EVENTS})\n${second.stderr()}`,
      );
    });
    const [{ count }] = await gateway.db.query<{ count: number }>(`SELECT count(*)::int AS count FROM outbox_events`);
    expect(count).toBe(EVENTS);
    const all = await gateway.db.query<{ id: string }>(`SELECT id FROM outbox_events`);
    expect(all.filter((row) => !ids.has(row.id))).toEqual([]);

    // Per subject, first arrivals came in sequence order, crash or not (a redelivery repeats, it never overtakes).
    const firstSeen = new Map<string, number[]>();
    const seen = new Set<string>();
    for (const request of hook.received) {
      if (seen.has(request.event.id)) continue;
      seen.add(request.event.id);
      const list = firstSeen.get(request.event.subject.id) ?? [];
      list.push(request.event.sequence);
      firstSeen.set(request.event.subject.id, list);
    }
    for (const sequences of firstSeen.values()) expect(sequences).toEqual([...sequences].sort((a, b) => a - b));

    await eventually(
      async () => {
        const rows = await gateway.db.query<{ pending: number }>(
          `SELECT count(*)::int AS pending FROM deliveries WHERE status <> 'delivered'`,
        );
        return rows[0].pending === 0;
      },
      15_000,
      'every delivery recorded as delivered',
    );

    second.child.kill('SIGKILL');
  });

  it('finishes a delivery in flight on SIGTERM, then exits', async () => {
    const worker = await startWorker();
    // Slow, but within the fan-out's first-attempt budget, so the attempt is still in flight at SIGTERM.
    const slow = await startWebhookReceiver(() => 204, { delayMs: 1000 });
    try {
      const tenant = { id: '0b7a3c2e-9a51-4f7e-8d0c-3f2b1a6c9e11', slug: 'slow' };
      await gateway.admin.post('/admin/v1/tenants', { slug: 'slow', name: 'Slow' });
      const subscription = await gateway.admin.post('/admin/v1/subscriptions', {
        name: 'slow',
        url: slow.url,
        events: ['*'],
        tenant: 'slow',
      });
      expect(subscription.status).toBe(201);
      const [{ id: tenantId }] = await gateway.db.query<{ id: string }>(`SELECT id FROM tenants WHERE slug = 'slow'`);
      await gateway.oidc.get(DataSource).transaction((em) =>
        new OutboxService().append(em, {
          type: 'user.created',
          tenant: { ...tenant, id: tenantId },
          subject: { type: 'user', id: 'slow-1' },
          data: {},
        }),
      );
      // The request has arrived; its answer is 1 s away.
      await eventually(() => slow.received.length >= 1, 15_000, 'the request to arrive');
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
        worker.child.once('exit', (code, signal) => resolve({ code, signal })),
      );
      worker.child.kill('SIGTERM');
      // Nest re-raises the signal once it has closed everything, so the process ends as SIGTERM says.
      expect(await exited).toEqual({ code: null, signal: 'SIGTERM' });
      const [delivery] = await gateway.db.query<{ status: string; attempts: number }>(
        `SELECT status, attempts FROM deliveries WHERE subscription_id = $1`,
        [subscription.body.id],
      );
      expect(delivery).toEqual({ status: 'delivered', attempts: 1 });
      expect(slow.received).toHaveLength(1);
      expect(worker.stderr()).not.toMatch(/error/i);
    } finally {
      await slow.close();
    }
  });
});
