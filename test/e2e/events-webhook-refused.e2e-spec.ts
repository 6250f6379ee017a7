import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { bullConnection } from '@app/identity/deliveries/bull-connection';
import { DELIVERY_ATTEMPTS } from '@app/identity/deliveries/delivery-backoff';
import { QueueName, deliveryJobId } from '@app/identity/deliveries/delivery-jobs';
import { ResolvedConfig, queuePrefixOf } from '@app/platform';
import { Queue } from 'bullmq';
import { createWorkerApp } from '../../apps/worker/src/create-worker-app';
import { CountingServer, startCountingServer } from '../support/counting-server';
import { EventsGateway, startEventsGateway } from '../support/events-gateway';
import { USER_SCHEMA } from '../support/scim-client';
import { eventually } from '../support/webhook-receiver';

interface Delivery {
  id: string;
  status: string;
  attempts: number;
  lastResponseStatus: number | null;
  lastError: string | null;
}

/**
 * A webhook whose receiver the outbound address rule refuses fails at once, for
 * good: no retry on the schedule, the reason in the delivery log, a retry by hand
 * that works once the operator fixes the URL or the setting. The refused
 * addresses (10.255.255.1, 169.254.169.254) are refused before any socket exists,
 * so no packet leaves for them; a loopback receiver behind `localhost` shows that
 * nothing connected.
 */
describe('webhook deliveries refused by the outbound address rule', () => {
  let events: EventsGateway;
  let worker: NestFastifyApplication | undefined;
  let receiver: CountingServer;

  const startWorker = async (allowPrivateNetworks: boolean): Promise<void> => {
    const config: ResolvedConfig = { ...events.config, allowPrivateNetworks };
    worker = await createWorkerApp(config);
    await worker.init();
    await worker.getHttpAdapter().getInstance().ready();
  };
  const stopWorker = async (): Promise<void> => {
    await worker?.close();
    worker = undefined;
  };
  const deliveries = async (subscriptionId: string): Promise<Delivery[]> => {
    const listed = await events.admin.get(`/admin/v1/subscriptions/${subscriptionId}/deliveries`);
    expect(listed.status).toBe(200);
    return listed.body.deliveries as Delivery[];
  };
  const failedDelivery = (subscriptionId: string, round = 1): Promise<Delivery> =>
    eventually(
      async () => {
        const [delivery] = await deliveries(subscriptionId);
        return delivery?.status === 'failed' && delivery.attempts >= round && delivery;
      },
      15_000,
      `the delivery of ${subscriptionId} to fail`,
    );
  const subscribe = async (tenant: string, url: string): Promise<string> => {
    const created = await events.admin.post('/admin/v1/subscriptions', {
      name: `to ${url}`,
      url,
      events: ['user.*'],
      tenant,
    });
    expect(created.status).toBe(201);
    return (created.body as { id: string }).id;
  };

  beforeAll(async () => {
    // A backoff of minutes: a refusal retried on the schedule would stay pending for the whole test.
    events = await startEventsGateway({ worker: false, overrides: { deliveryBackoffMs: 120_000 } });
    receiver = await startCountingServer();
  });
  afterAll(async () => {
    await stopWorker();
    await receiver?.close();
    await events?.close();
  });

  it('fails each refused delivery at its first attempt with the reason, and a retry by hand works once fixed', async () => {
    // Saved through an admin API that allows private networks (as before an upgrade, or on another replica);
    // the worker that sends runs with ALLOW_PRIVATE_NETWORKS off.
    const tenant = await events.tenant('refused-hooks');
    const privateNet = await subscribe(tenant.slug, 'http://10.255.255.1/hooks');
    const metadata = await subscribe(tenant.slug, 'http://169.254.169.254/latest/meta-data/');
    const named = await subscribe(tenant.slug, `http://localhost:${receiver.port}/hooks`);
    await startWorker(false);

    const created = await tenant.send('POST', '/scim/v2/Users', {
      schemas: [USER_SCHEMA],
      userName: 'rita@refused-hooks.test',
    });
    expect(created.status).toBe(201);

    const [toPrivate, toMetadata, toNamed] = await Promise.all([
      failedDelivery(privateNet),
      failedDelivery(metadata),
      failedDelivery(named),
    ]);
    for (const delivery of [toPrivate, toMetadata, toNamed]) {
      expect(delivery).toMatchObject({ status: 'failed', attempts: 1, lastResponseStatus: null });
      expect(delivery.lastError).toContain('(set ALLOW_PRIVATE_NETWORKS=true to allow private networks)');
      expect(delivery.lastError).not.toMatch(/ECONN|timed out|no answer/i);
    }
    expect(toPrivate.lastError).toMatch(
      /^refused: http:\/\/10\.255\.255\.1 is a private address: 10\.255\.255\.1 is a private network address/,
    );
    expect(toMetadata.lastError).toMatch(
      /^refused: http:\/\/169\.254\.169\.254 is a private address: 169\.254\.169\.254 is a link-local address/,
    );
    // Checked at the address the name resolved to, before connecting.
    expect(toNamed.lastError).toMatch(
      /^refused: localhost resolves to a private address: (127\.0\.0\.1|::1) is a loopback address/,
    );
    expect(receiver.connections()).toBe(0);

    // Not retried on the schedule: the first attempt (made in the fan-out) left no delivery job behind.
    const queue = new Queue(QueueName.Deliveries, {
      connection: bullConnection(events.config),
      prefix: queuePrefixOf(events.config),
    });
    try {
      for (const delivery of [toPrivate, toMetadata, toNamed]) {
        expect(await queue.getJob(deliveryJobId(delivery.id, 0))).toBeUndefined();
      }

      // A retry by hand while nothing changed is refused again at once, and says so.
      const retried = await events.admin.post(`/admin/v1/subscriptions/${privateNet}/deliveries/${toPrivate.id}/retry`);
      expect(retried.status).toBe(202);
      const again = await failedDelivery(privateNet, 2);
      expect(again).toMatchObject({ status: 'failed', attempts: 2, lastError: toPrivate.lastError });
      // Its job failed for good after one attempt of its schedule (UnrecoverableError), with the reason.
      const job = await eventually(
        async () => {
          const found = await queue.getJob(deliveryJobId(toPrivate.id, 1));
          return found && (await found.isFailed()) && found;
        },
        10_000,
        'the retry job to fail',
      );
      expect(job.opts.attempts).toBe(DELIVERY_ATTEMPTS);
      expect(job.attemptsMade).toBe(1);
      expect(job.failedReason).toBe(toPrivate.lastError);
    } finally {
      await queue.close();
    }
    expect(receiver.connections()).toBe(0);

    // The operator fixes things: one URL moves to a reachable receiver, and private networks are allowed
    // (on-premise). The metadata subscription goes first, so nothing is ever sent there.
    expect((await events.admin.delete(`/admin/v1/subscriptions/${metadata}`)).status).toBe(204);
    const moved = await events.admin.patch(`/admin/v1/subscriptions/${privateNet}`, {
      url: `http://127.0.0.1:${receiver.port}/moved`,
    });
    expect(moved.status).toBe(200);
    await stopWorker();
    await startWorker(true);

    for (const [subscriptionId, deliveryId] of [
      [privateNet, toPrivate.id],
      [named, toNamed.id],
    ]) {
      const retry = await events.admin.post(`/admin/v1/subscriptions/${subscriptionId}/deliveries/${deliveryId}/retry`);
      expect(retry.status).toBe(202);
    }
    for (const subscriptionId of [privateNet, named]) {
      await eventually(
        async () => (await deliveries(subscriptionId))[0]?.status === 'delivered',
        15_000,
        `the retried delivery of ${subscriptionId}`,
      );
    }
    expect([...receiver.requests].sort()).toEqual(['/hooks', '/moved']);
  });
});
