import { DeliveryAttemptRow } from '@app/identity/deliveries/delivery.row';
import { SecretBox } from '@app/identity/secrets/secret-box';
import { SubscriptionRepository } from '@app/identity/subscriptions/subscription.repository';
import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import { FanOutMetrics } from '../metrics/fan-out.metrics';
import { DeliveryGate } from './delivery-gate';
import { DeliveryOutcomes } from './delivery-outcomes';
import { MAX_IN_FLIGHT_PER_SUBSCRIPTION, SubscriberPace } from './subscriber-pace';
import { WebhookAttempt } from './webhook-attempt';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor';
import { WebhookResponse, WebhookSender } from './webhook-sender';

describe('WebhookDeliveryProcessor', () => {
  const delivery = {
    id: 'd-1',
    subscriptionId: 's-1',
    eventId: 'e-1',
    round: 0,
    url: 'https://hooks.example/h',
    secretSealed: Buffer.from('sealed'),
    event: {
      id: 'e-1',
      type: 'user.created',
      occurredAt: '2026-01-01T00:00:00.000Z',
      tenant: { id: 't', slug: 't' },
      subject: { type: 'user', id: 'u' },
      sequence: 1,
      data: {},
    },
  } as unknown as DeliveryAttemptRow;

  const setup = (response: WebhookResponse, attemptsMade = 0) => {
    const outcomes = { record: jest.fn().mockResolvedValue(12) };
    const subscriptions = { disable: jest.fn().mockResolvedValue(undefined) };
    const sender = { send: jest.fn().mockResolvedValue(response) };
    const secrets = { open: jest.fn().mockReturnValue('whsec_c2VjcmV0') };
    const metrics = { delivered: jest.fn(), outcome: jest.fn() };
    const pace = new SubscriberPace();
    const attempts = new WebhookAttempt(
      sender as unknown as WebhookSender,
      secrets as unknown as SecretBox,
      outcomes as unknown as DeliveryOutcomes,
      subscriptions as unknown as SubscriptionRepository,
      metrics as unknown as FanOutMetrics,
      pace,
    );
    const processor = new WebhookDeliveryProcessor(
      { admit: jest.fn().mockResolvedValue(delivery) } as unknown as DeliveryGate,
      attempts,
      pace,
    );
    const job = {
      data: { deliveryId: 'd-1', round: 0, subscriptionId: 's-1' },
      attemptsMade,
      opts: { attempts: 14 },
      moveToDelayed: jest.fn().mockResolvedValue(undefined),
    } as unknown as Job<{ deliveryId: string; round: number; subscriptionId: string }>;
    return { processor, job, outcomes, subscriptions, sender, secrets, metrics, pace };
  };

  it('signs with the opened secret and records a 2xx as delivered', async () => {
    const { processor, job, outcomes, sender, metrics } = setup({ status: 204 });
    await processor.process(job, 'token');
    expect(sender.send).toHaveBeenCalledWith(
      expect.objectContaining({ messageId: 'e-1', secret: 'whsec_c2VjcmV0', url: delivery.url }),
      // A delivery job's attempt has the sender's full timeout.
      undefined,
    );
    expect(JSON.parse((sender.send.mock.calls[0] as [{ body: string }])[0].body)).toEqual(delivery.event);
    expect(outcomes.record).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'd-1', round: 0, delivered: true, responseStatus: 204, error: null }),
    );
    expect(metrics.delivered).toHaveBeenCalledWith('webhook', 12);
  });

  it('opens a subscription’s secret once, and again when the sealed value changes', async () => {
    const { processor, job, secrets } = setup({ status: 204 });
    await processor.process(job, 'token');
    await processor.process(job, 'token');
    expect(secrets.open).toHaveBeenCalledTimes(1);
    (delivery as { secretSealed: Buffer }).secretSealed = Buffer.from('resealed');
    try {
      await processor.process(job, 'token');
      expect(secrets.open).toHaveBeenCalledTimes(2);
    } finally {
      (delivery as { secretSealed: Buffer }).secretSealed = Buffer.from('sealed');
    }
  });

  it('disables the subscription on 410 and fails for good', async () => {
    const { processor, job, subscriptions, outcomes } = setup({ status: 410 });
    await expect(processor.process(job, 'token')).rejects.toBeInstanceOf(UnrecoverableError);
    expect(subscriptions.disable).toHaveBeenCalledWith('s-1', expect.stringContaining('410'));
    expect(outcomes.record).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'd-1', delivered: false, final: true, responseStatus: 410 }),
    );
    // Recorded before the subscription is disabled, so whoever sees it disabled sees why.
    expect(outcomes.record.mock.invocationCallOrder[0]).toBeLessThan(subscriptions.disable.mock.invocationCallOrder[0]);
  });

  it('fails for good on a 4xx other than 408 and 429', async () => {
    const { processor, job, outcomes } = setup({ status: 422 });
    await expect(processor.process(job, 'token')).rejects.toBeInstanceOf(UnrecoverableError);
    expect(outcomes.record).toHaveBeenCalledWith(
      expect.objectContaining({ delivered: false, final: true, responseStatus: 422, error: 'HTTP 422' }),
    );
  });

  it.each([[{ status: 500 }], [{ status: 429 }], [{ error: 'connection failed: ECONNREFUSED' }]] as const)(
    'rethrows %j so BullMQ retries, keeping the delivery pending',
    async (response) => {
      const { processor, job, outcomes } = setup(response);
      await expect(processor.process(job, 'token')).rejects.not.toBeInstanceOf(UnrecoverableError);
      expect(outcomes.record).toHaveBeenCalledWith(expect.objectContaining({ delivered: false, final: false }));
    },
  );

  it('marks the delivery failed on the last attempt', async () => {
    const { processor, job, outcomes } = setup({ status: 503 }, 13);
    await expect(processor.process(job, 'token')).rejects.toThrow('HTTP 503');
    expect(outcomes.record).toHaveBeenCalledWith(
      expect.objectContaining({ delivered: false, final: true, responseStatus: 503, error: 'HTTP 503' }),
    );
  });

  it('does not acknowledge a job whose outcome could not be stored', async () => {
    const { processor, job, outcomes } = setup({ status: 204 });
    outcomes.record.mockRejectedValue(new Error('PostgreSQL is away'));
    await expect(processor.process(job, 'token')).rejects.toThrow('PostgreSQL is away');
  });

  it('steps aside, costing no attempt, when its subscription has its share of the lane in flight', async () => {
    const { processor, job, sender, pace } = setup({ status: 204 });
    const taken = Array.from({ length: MAX_IN_FLIGHT_PER_SUBSCRIPTION }, () => pace.enter('s-1')!);
    await expect(processor.process(job, 'token')).rejects.toBeInstanceOf(DelayedError);
    expect(job.moveToDelayed).toHaveBeenCalledWith(expect.any(Number), 'token');
    expect(sender.send).not.toHaveBeenCalled();
    // Another subscription's job is not held back.
    expect(pace.enter('s-2')).toBeDefined();
    taken[0]();
    await processor.process(job, 'token');
    expect(sender.send).toHaveBeenCalledTimes(1);
  });

  it('gives its place in the lane back however the attempt ends', async () => {
    const { processor, job, pace } = setup({ status: 503 });
    for (let i = 0; i < MAX_IN_FLIGHT_PER_SUBSCRIPTION + 1; i++) {
      await expect(processor.process(job, 'token')).rejects.toThrow('HTTP 503');
    }
    const places = Array.from({ length: MAX_IN_FLIGHT_PER_SUBSCRIPTION }, () => pace.enter('s-1'));
    expect(places.every((leave) => leave !== undefined)).toBe(true);
  });

  it('remembers a receiver that timed out as slow, and forgets it when it answers in time', async () => {
    const { processor, job, sender, pace } = setup({ error: 'no answer within 10 s', timedOut: true });
    await expect(processor.process(job, 'token')).rejects.toThrow('no answer');
    expect(pace.admitFirstAttempt('s-1')).toBe(false);
    sender.send.mockResolvedValue({ status: 204 });
    await processor.process(job, 'token');
    expect(pace.admitFirstAttempt('s-1')).toBe(true);
  });
});
