import { EventDeduplicator, IdentityEvent, IdentityEventConsumer } from '@app/events';
import { OutboxService } from '@app/identity';
import { bullConnection } from '@app/identity/deliveries/bull-connection';
import { Redis } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { HAND_OFF_DELAY_MS } from '../../apps/worker/src/fan-out/fan-out.processor';
import { WEBHOOK_TIMEOUT_MS } from '../../apps/worker/src/delivery/webhook-sender';
import { OutboxRelayService } from '../../apps/worker/src/outbox/outbox-relay.service';
import { EventsGateway, startEventsGateway } from '../support/events-gateway';
import { freePort } from '../support/processes';
import { ScimTenant, USER_SCHEMA, patchOp } from '../support/scim-client';
import { WebhookReceiver, eventually, startWebhookReceiver } from '../support/webhook-receiver';

/** Webhook fan-out end to end: SCIM writes → outbox → relay → fan-out → signed POSTs to real receivers on loopback. */
describe('events: webhooks', () => {
  let gateway: EventsGateway;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    // A 3 ms base makes the whole 14-attempt schedule last ~4 s, so "failed" is reachable in a test.
    gateway = await startEventsGateway({ overrides: { deliveryBackoffMs: 3 } });
  });
  afterAll(async () => {
    await gateway.close();
    await Promise.all(receivers.map((receiver) => receiver.close()));
  });

  const receiver = async (...args: Parameters<typeof startWebhookReceiver>): Promise<WebhookReceiver> => {
    const started = await startWebhookReceiver(...args);
    receivers.push(started);
    return started;
  };

  /** A webhook subscription scoped to the tenant, so each test sees only its own events. */
  const subscribe = async (
    tenant: ScimTenant,
    url: string,
    events: string[] = ['user.*'],
  ): Promise<{ id: string; secret: string }> => {
    const response = await gateway.admin.post('/admin/v1/subscriptions', {
      name: `hook ${tenant.slug}`,
      url,
      events,
      tenant: tenant.slug,
    });
    expect(response.status).toBe(201);
    return response.body;
  };

  const createUser = async (tenant: ScimTenant, userName: string): Promise<string> => {
    const response = await tenant.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], userName });
    expect(response.status).toBe(201);
    return response.body.id;
  };

  const deliveries = async (subscriptionId: string, query = ''): Promise<any[]> => {
    const response = await gateway.admin.get(`/admin/v1/subscriptions/${subscriptionId}/deliveries${query}`);
    expect(response.status).toBe(200);
    return response.body.deliveries;
  };

  const verify = (secret: string, request: WebhookReceiver['received'][number]): unknown =>
    new Webhook(secret).verify(request.body, {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    });

  it("delivers a user's creation, update and deactivation, signed and in order, to each of two subscribers", async () => {
    const tenant = await gateway.tenant('lifecycle');
    const [first, second] = [await receiver(), await receiver()];
    const [subFirst, subSecond] = [await subscribe(tenant, first.url), await subscribe(tenant, second.url)];

    const userId = await createUser(tenant, 'ann@lifecycle.test');
    expect(
      (
        await tenant.send(
          'PATCH',
          `/scim/v2/Users/${userId}`,
          patchOp({ op: 'replace', value: { displayName: 'Ann' } }),
        )
      ).status,
    ).toBe(200);
    expect(
      (await tenant.send('PATCH', `/scim/v2/Users/${userId}`, patchOp({ op: 'replace', value: { active: false } })))
        .status,
    ).toBe(200);

    for (const [hook, subscription] of [
      [first, subFirst],
      [second, subSecond],
    ] as const) {
      await eventually(() => hook.received.length >= 3, 15_000, 'three deliveries');
      expect(hook.received.map((request) => request.event.type)).toEqual([
        'user.created',
        'user.updated',
        'user.deactivated',
      ]);
      expect(hook.received.map((request) => request.event.sequence)).toEqual([1, 2, 3]);
      for (const request of hook.received) {
        expect(verify(subscription.secret, request)).toEqual(request.event);
        expect(request.headers['webhook-id']).toBe(request.event.id);
        expect(request.headers['content-type']).toBe('application/json');
        expect(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
        expect(request.event).toEqual({
          id: expect.any(String),
          type: expect.any(String),
          occurredAt: expect.any(String),
          tenant: { id: tenant.id, slug: 'lifecycle' },
          subject: { type: 'user', id: userId },
          sequence: expect.any(Number),
          data: expect.objectContaining({ id: userId, userName: 'ann@lifecycle.test' }),
          ...(request.event.type === 'user.updated' ? { previous: { displayName: null } } : {}),
        });
      }
      // The other subscriber's secret does not verify this one's requests.
      const other = subscription === subFirst ? subSecond : subFirst;
      expect(() => verify(other.secret, hook.received[0])).toThrow();
    }
    // The same event ids went to both.
    expect(first.received.map((r) => r.event.id)).toEqual(second.received.map((r) => r.event.id));
    // A receiver has the request a moment before its outcome is in the log.
    const log = await eventually(
      async () => {
        const rows = await deliveries(subFirst.id);
        return rows.every((d) => d.status === 'delivered') && rows;
      },
      5_000,
      'the log to record every delivery',
    );
    expect(log.map((d) => [d.eventType, d.status, d.attempts, d.lastResponseStatus])).toEqual([
      ['user.deactivated', 'delivered', 1, 204],
      ['user.updated', 'delivered', 1, 204],
      ['user.created', 'delivered', 1, 204],
    ]);
    expect(log.every((d) => typeof d.latencyMs === 'number' && d.deliveredAt !== null)).toBe(true);
  });

  it('delivers only the event types a subscription asks for', async () => {
    const tenant = await gateway.tenant('filters');
    const [deactivations, groups, everything] = [await receiver(), await receiver(), await receiver()];
    await subscribe(tenant, deactivations.url, ['user.deactivated']);
    await subscribe(tenant, groups.url, ['group.*']);
    await subscribe(tenant, everything.url, ['*']);

    const userId = await createUser(tenant, 'bob@filters.test');
    await tenant.send('PATCH', `/scim/v2/Users/${userId}`, patchOp({ op: 'replace', value: { active: false } }));

    await eventually(() => everything.received.length >= 2 && deactivations.received.length >= 1, 15_000, 'deliveries');
    expect(everything.received.map((r) => r.event.type)).toEqual(['user.created', 'user.deactivated']);
    expect(deactivations.received.map((r) => r.event.type)).toEqual(['user.deactivated']);
    expect(groups.received).toEqual([]);
  });

  it('does not deliver to a subscription scoped to another tenant', async () => {
    const [mine, theirs] = [await gateway.tenant('scope-mine'), await gateway.tenant('scope-theirs')];
    const [hookMine, hookTheirs] = [await receiver(), await receiver()];
    await subscribe(mine, hookMine.url);
    await subscribe(theirs, hookTheirs.url);
    await createUser(mine, 'carol@mine.test');
    await eventually(() => hookMine.received.length >= 1, 15_000, 'delivery');
    expect(hookTheirs.received).toEqual([]);
  });

  it('delivers nothing for a rolled-back change', async () => {
    const tenant = await gateway.tenant('rollback');
    const hook = await receiver();
    await subscribe(tenant, hook.url);
    const dataSource = gateway.worker!.get(DataSource);
    const outbox = new OutboxService();
    const event = (subjectId: string) => ({
      type: 'user.created' as const,
      tenant: { id: tenant.id, slug: tenant.slug },
      subject: { type: 'user' as const, id: subjectId },
      data: { id: subjectId },
    });
    await expect(
      dataSource.transaction(async (em) => {
        await outbox.append(em, event('rolled-back'));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    // A committed change after it is the marker: once it arrives, the rolled-back one would have too.
    await dataSource.transaction((em) => outbox.append(em, event('committed')));
    await eventually(() => hook.received.length >= 1, 15_000, 'the committed event');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hook.received.map((r) => r.event.subject.id)).toEqual(['committed']);
  });

  it('fans out again an event relayed before Redis lost its data (the repair round)', async () => {
    const tenant = await gateway.tenant('repair');
    const hook = await receiver();
    await subscribe(tenant, hook.url);
    const dataSource = gateway.worker!.get(DataSource);
    // Relayed two minutes ago, as far as PostgreSQL knows, but its fan-out job is nowhere: lost with Redis's data.
    const lost = await dataSource.transaction(async (em) => {
      const recorded = await new OutboxService().append(em, {
        type: 'user.created',
        tenant: { id: tenant.id, slug: tenant.slug },
        subject: { type: 'user', id: 'lost-user' },
        data: { id: 'lost-user' },
      });
      await em.query(`UPDATE outbox_events SET published_at = now() - interval '2 minutes' WHERE id = $1`, [
        recorded.id,
      ]);
      return recorded;
    });
    expect(await gateway.worker!.get(OutboxRelayService).repair()).toBeGreaterThanOrEqual(1);
    await eventually(() => hook.received.length >= 1, 15_000, 'the repaired delivery');
    expect(hook.received.map((r) => r.event.id)).toEqual([lost.id]);
  });

  it('retries a receiver that answers 500 twice, with the same webhook-id, then stops after the 204', async () => {
    const tenant = await gateway.tenant('flaky');
    const hook = await receiver((index) => (index < 2 ? 500 : 204));
    const subscription = await subscribe(tenant, hook.url);
    await createUser(tenant, 'dan@flaky.test');

    await eventually(() => hook.received.length >= 3, 15_000, 'three attempts');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hook.received.map((r) => r.answered)).toEqual([500, 500, 204]);
    expect(new Set(hook.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    for (const request of hook.received) expect(verify(subscription.secret, request)).toEqual(hook.received[0].event);
    const [delivery] = await deliveries(subscription.id);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, lastResponseStatus: 204, lastError: null });
  });

  it('ends a delivery to a dead receiver as failed, and delivers it when retried by hand', async () => {
    const tenant = await gateway.tenant('dead');
    const deadUrl = `http://127.0.0.1:${await freePort()}/hooks`;
    const subscription = await subscribe(tenant, deadUrl);
    await createUser(tenant, 'erin@dead.test');

    const [failed] = await eventually(
      async () => {
        const log = await deliveries(subscription.id, '?status=failed');
        return log.length > 0 && log;
      },
      30_000,
      'the delivery to fail',
    );
    expect(failed).toMatchObject({
      status: 'failed',
      attempts: 14,
      lastResponseStatus: null,
      lastError: expect.stringMatching(/ECONNREFUSED|connection/),
    });
    expect(await deliveries(subscription.id, '?status=pending')).toEqual([]);

    // The receiver comes back (at a new address); the operator points the subscription at it and retries.
    const hook = await receiver();
    expect((await gateway.admin.patch(`/admin/v1/subscriptions/${subscription.id}`, { url: hook.url })).status).toBe(
      200,
    );
    const retried = await gateway.admin.post(
      `/admin/v1/subscriptions/${subscription.id}/deliveries/${failed.id}/retry`,
    );
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: failed.id, status: 'pending' });
    await eventually(() => hook.received.length >= 1, 15_000, 'the retried delivery');
    expect(hook.received[0].headers['webhook-id']).toBe(failed.eventId);
    expect(verify(subscription.secret, hook.received[0])).toMatchObject({ id: failed.eventId, type: 'user.created' });
    const [delivered] = await eventually(
      async () => {
        const log = await deliveries(subscription.id, '?status=delivered');
        return log.length > 0 && log;
      },
      10_000,
      'the delivery to be recorded',
    );
    expect(delivered).toMatchObject({ id: failed.id, status: 'delivered', attempts: 15, lastResponseStatus: 204 });

    // Only a failed delivery can be retried.
    const again = await gateway.admin.post(`/admin/v1/subscriptions/${subscription.id}/deliveries/${failed.id}/retry`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    const unknown = await gateway.admin.post(
      `/admin/v1/subscriptions/${subscription.id}/deliveries/00000000-0000-4000-8000-000000000000/retry`,
    );
    expect(unknown.status).toBe(404);
  });

  it('disables a subscription whose receiver answers 410 Gone', async () => {
    const tenant = await gateway.tenant('gone');
    const [goneHook, liveHook] = [await receiver(() => 410), await receiver()];
    const gone = await subscribe(tenant, goneHook.url);
    await subscribe(tenant, liveHook.url);
    await createUser(tenant, 'fay@gone.test');

    const subscription = await eventually(
      async () => {
        const body = (await gateway.admin.get(`/admin/v1/subscriptions/${gone.id}`)).body;
        return body.enabled === false && body;
      },
      15_000,
      'the subscription to be disabled',
    );
    expect(subscription.disabledReason).toMatch(/410/);
    const [delivery] = await deliveries(gone.id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, lastResponseStatus: 410 });

    // Later events go to the live subscriber only; the gone one is not even tried.
    await createUser(tenant, 'gus@gone.test');
    await eventually(() => liveHook.received.length >= 2, 15_000, 'the later event');
    expect(goneHook.received).toHaveLength(1);
    expect(await deliveries(gone.id)).toHaveLength(1);

    // Re-enabling clears the reason; a retry by hand is then allowed.
    const enabled = await gateway.admin.patch(`/admin/v1/subscriptions/${gone.id}`, { enabled: true });
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null });
  });

  it('fails at once on a 4xx other than 408 and 429', async () => {
    const tenant = await gateway.tenant('refused');
    const hook = await receiver(() => 400);
    const subscription = await subscribe(tenant, hook.url);
    await createUser(tenant, 'hal@refused.test');
    const [failed] = await eventually(
      async () => {
        const log = await deliveries(subscription.id, '?status=failed');
        return log.length > 0 && log;
      },
      15_000,
      'the delivery to fail',
    );
    expect(failed).toMatchObject({ attempts: 1, lastResponseStatus: 400 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(hook.received).toHaveLength(1);
    expect((await gateway.admin.get(`/admin/v1/subscriptions/${subscription.id}`)).body.enabled).toBe(true);
  });

  it("keeps a subject's order for a subscriber that is retrying, without holding up another subscriber", async () => {
    const tenant = await gateway.tenant('ordering');
    // The slow subscriber fails its first three requests, whatever they carry.
    const [slow, fast] = [await receiver((index) => (index < 3 ? 503 : 204)), await receiver()];
    await subscribe(tenant, slow.url);
    await subscribe(tenant, fast.url);
    const userId = await createUser(tenant, 'ida@ordering.test');
    for (let i = 1; i <= 5; i++) {
      await tenant.send(
        'PATCH',
        `/scim/v2/Users/${userId}`,
        patchOp({ op: 'replace', value: { displayName: `Ida ${i}` } }),
      );
    }
    await eventually(() => fast.received.length >= 6 && slow.accepted().length >= 6, 20_000, 'all deliveries');
    expect(fast.received.map((r) => r.event.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(slow.accepted().map((r) => r.event.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
    // Every request the slow one got, failed or not, came in sequence order: nothing overtook a change being retried.
    const sequences = slow.received.map((r) => r.event.sequence as number);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
  });

  it('keeps a fast subscriber on time beside one that never answers and one that answers slowly', async () => {
    const tenant = await gateway.tenant('isolation');
    // Takes every request and never answers: each attempt ends only at the sender's timeout.
    const blackHole = await receiver(() => 204, { neverAnswer: true });
    const slow = await receiver(() => 204, { delayMs: 2000 });
    const fast = await receiver();
    const hole = await subscribe(tenant, blackHole.url);
    const slowSubscription = await subscribe(tenant, slow.url);
    await subscribe(tenant, fast.url);
    const log = (subscriptionId: string) =>
      gateway.db.query<{ status: string; attempts: number; last_error: string | null }>(
        'SELECT status, attempts, last_error FROM deliveries WHERE subscription_id = $1',
        [subscriptionId],
      );

    const users = 150;
    for (let next = 0; next < users; next += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => createUser(tenant, `user${next + i}@isolation.test`)));
    }

    await eventually(() => fast.received.length >= users, 15_000, 'every event at the fast subscriber');
    // occurredAt is stamped inside the change's transaction: this is commit-to-delivery, on one clock. Held behind
    // the black hole, a delivery would wait for an attempt's timeout; behind the slow one, for its 2 s answers, and
    // most deliveries would. The bounds leave room for a pause of a loaded machine, which delays a few, not most.
    const lags = fast.received.map((request) => request.receivedAt - Date.parse(request.event.occurredAt));
    expect(Math.max(...lags)).toBeLessThan(WEBHOOK_TIMEOUT_MS);
    expect([...lags].sort((a, b) => a - b)[Math.floor(lags.length * 0.95)]).toBeLessThan(3000);
    expect(new Set(fast.received.map((request) => request.event.id)).size).toBe(users);

    // The black hole's deliveries are all recorded and still pending: retrying, not lost, not failed early.
    const held = await log(hole.id);
    expect(held).toHaveLength(users);
    expect(held.filter((delivery) => delivery.status !== 'pending')).toEqual([]);
    await eventually(
      async () => (await log(hole.id)).some((d) => d.attempts >= 1 && /no answer/.test(d.last_error ?? '')),
      15_000,
      'a timed-out attempt to be recorded',
    );

    // The slow subscriber gets every event, however long each answer takes.
    await eventually(
      async () => (await log(slowSubscription.id)).filter((d) => d.status === 'delivered').length === users,
      60_000,
      'every delivery to the slow subscriber',
    );
    expect(new Set(slow.received.map((request) => request.event.id)).size).toBe(users);
    const slowDoneAt = Date.now();

    // The black hole goes away for good: every delivery runs out its schedule and ends failed, none lost.
    await blackHole.close();
    const ended = await eventually(
      async () => {
        const rows = await log(hole.id);
        return rows.every((d) => d.status === 'failed') && rows;
      },
      60_000,
      'every delivery to the black hole to fail',
    );
    expect(ended).toHaveLength(users);
    expect(ended.every((d) => d.attempts === 14)).toBe(true);

    // A first attempt past the fan-out's budget runs on rather than being aborted, and the job that takes the
    // delivery over finds it delivered: once those jobs ran, the 2 s receiver still has each event exactly once.
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, slowDoneAt + HAND_OFF_DELAY_MS + 2000 - Date.now())),
    );
    expect(slow.received).toHaveLength(users);
    expect((await log(slowSubscription.id)).every((d) => d.attempts === 1)).toBe(true);
  }, 180_000);

  it('lists the delivery log newest first, by status, in bounded pages', async () => {
    const tenant = await gateway.tenant('paging');
    const hook = await receiver();
    const subscription = await subscribe(tenant, hook.url);
    for (let i = 0; i < 5; i++) await createUser(tenant, `user${i}@paging.test`);
    await eventually(
      async () => (await deliveries(subscription.id, '?status=delivered')).length === 5,
      15_000,
      'five deliveries',
    );

    const first = (await gateway.admin.get(`/admin/v1/subscriptions/${subscription.id}/deliveries?limit=2`)).body;
    expect(first.deliveries).toHaveLength(2);
    expect(first.nextCursor).toBe(first.deliveries[1].id);
    const second = (
      await gateway.admin.get(
        `/admin/v1/subscriptions/${subscription.id}/deliveries?limit=2&cursor=${first.nextCursor}`,
      )
    ).body;
    const third = (
      await gateway.admin.get(
        `/admin/v1/subscriptions/${subscription.id}/deliveries?limit=2&cursor=${second.nextCursor}`,
      )
    ).body;
    expect(third.nextCursor).toBeNull();
    const all = [...first.deliveries, ...second.deliveries, ...third.deliveries];
    expect(all).toHaveLength(5);
    const created = all.map((d) => new Date(d.createdAt).getTime());
    expect(created).toEqual([...created].sort((a, b) => b - a));
    expect(await deliveries(subscription.id, '?status=failed')).toEqual([]);

    for (const query of ['?status=gone', '?limit=0', '?limit=1000', '?colour=red']) {
      const response = await gateway.admin.get(`/admin/v1/subscriptions/${subscription.id}/deliveries${query}`);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_request');
    }
    expect(
      (await gateway.admin.get('/admin/v1/subscriptions/00000000-0000-4000-8000-000000000000/deliveries')).status,
    ).toBe(404);
  });

  it('adds events to the BullMQ queue of a queue subscription, for an IdentityEventConsumer', async () => {
    const tenant = await gateway.tenant('sessions');
    const created = await gateway.admin.post('/admin/v1/subscriptions', {
      name: 'end sessions',
      queue: 'oidc-sessions',
      events: ['user.deactivated', 'user.deleted'],
      tenant: tenant.slug,
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String) });

    const redis = new Redis(gateway.config.redisUrl);
    const dedupe = new EventDeduplicator(redis, { prefix: gateway.config.redisPrefix, consumer: 'oidc-sessions' });
    const handled: IdentityEvent[] = [];
    const consumer = new IdentityEventConsumer({
      connection: bullConnection(gateway.config.redisUrl),
      prefix: gateway.config.redisPrefix,
      queue: 'oidc-sessions',
      handle: async (event) => {
        await dedupe.once(event.id, () => {
          handled.push(event);
          return Promise.resolve();
        });
      },
    });
    try {
      await consumer.ready();
      const userId = await createUser(tenant, 'jo@sessions.test');
      await tenant.send('PATCH', `/scim/v2/Users/${userId}`, patchOp({ op: 'replace', value: { active: false } }));
      await eventually(() => handled.length >= 1, 15_000, 'the consumer to get the event');
      expect(handled).toEqual([
        expect.objectContaining({ type: 'user.deactivated', subject: { type: 'user', id: userId }, sequence: 2 }),
      ]);
      // At-least-once made effectively-once: the same event id again does no work.
      expect(await dedupe.once(handled[0].id, () => Promise.reject(new Error('must not run')))).toBe(false);
      const [delivery] = await deliveries(created.body.id);
      expect(delivery).toMatchObject({ status: 'delivered', eventType: 'user.deactivated', lastResponseStatus: null });
    } finally {
      await consumer.close();
      redis.disconnect();
    }
  });

  it('reports lag, queue depth, deliveries and latency on the worker’s /metrics', async () => {
    const response = await gateway.worker!.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    const text = response.body;
    expect(text).toMatch(/^gateway_outbox_lag_seconds \d+(\.\d+)?$/m);
    expect(text).toMatch(/^gateway_queue_jobs\{queue="gateway-deliveries",state="waiting"\} \d+$/m);
    expect(text).toMatch(/^gateway_deliveries\{status="failed"\} [1-9]\d*$/m);
    expect(text).toMatch(/^gateway_delivery_latency_seconds_count\{kind="webhook"\} [1-9]\d*$/m);
    expect(text).toMatch(/^gateway_delivery_attempts_total\{kind="webhook",outcome="retried"\} [1-9]\d*$/m);
    expect(text).toMatch(/^gateway_outbox_relayed_total [1-9]\d*$/m);
  });
});
