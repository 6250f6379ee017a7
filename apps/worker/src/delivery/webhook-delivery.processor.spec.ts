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
import { WEBHOOK_TIMEOUT_MS, WebhookResponse, WebhookSender } from './webhook-sender';

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

  const setup = (response: WebhookResponse, attemptsMade = 0, attemptsStarted = attemptsMade + 1) => {
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
    const gate = { admit: jest.fn().mockResolvedValue(delivery) };
    const processor = new WebhookDeliveryProcessor(gate as unknown as DeliveryGate, attempts, pace);
    const job = {
      data: { deliveryId: 'd-1', round: 0, subscriptionId: 's-1' },
      attemptsMade,
      attemptsStarted,
      opts: { attempts: 14 },
      moveToDelayed: jest.fn().mockResolvedValue(undefined),
    } as unknown as Job<{ deliveryId: string; round: number; subscriptionId: string }>;
    return { processor, job, gate, outcomes, subscriptions, sender, secrets, metrics, pace };
  };

  it('signs with the opened secret and records a 2xx as delivered', async () => {
    const { processor, job, outcomes, sender, metrics } = setup({ status: 204 });
    await processor.process(job, 'token');
    expect(sender.send).toHaveBeenCalledWith(
      expect.objectContaining({ messageId: 'e-1', secret: 'whsec_c2VjcmV0', url: delivery.url }),
    );
    // Every attempt has the sender's full timeout.
    expect(sender.send.mock.calls[0]).toHaveLength(1);
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

  it('fails for good, at once, when the outbound address rule refused the receiver', async () => {
    const reason =
      'refused: http://10.255.255.1 is a private address: 10.255.255.1 is a private network address (10/8, 172.16/12, 192.168/16)';
    const { processor, job, outcomes, metrics } = setup({ error: reason, refused: true });
    const failure = processor.process(job, 'token');
    await expect(failure).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(failure).rejects.toThrow(reason);
    expect(outcomes.record).toHaveBeenCalledWith(
      expect.objectContaining({ delivered: false, final: true, responseStatus: null, error: reason }),
    );
    expect(metrics.outcome).toHaveBeenCalledWith('webhook', 'failed');
    expect(job.moveToDelayed).not.toHaveBeenCalled();
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

  /** How long the job was moved back to delayed for, by its n-th call. */
  const delayOf = (job: Job, call = 0): number =>
    ((job.moveToDelayed as jest.Mock).mock.calls[call] as [number])[0] - Date.now();

  it('does not acknowledge a job whose outcome could not be stored, and steps aside without using an attempt', async () => {
    const { processor, job, outcomes } = setup({ status: 204 });
    outcomes.record.mockRejectedValue(new Error('PostgreSQL is away'));
    const failure = processor.process(job, 'token');
    await expect(failure).rejects.toBeInstanceOf(DelayedError);
    await expect(failure).rejects.toThrow('PostgreSQL is away');
    expect(job.moveToDelayed).toHaveBeenCalledWith(expect.any(Number), 'token');
  });

  type Setup = ReturnType<typeof setup>;
  it.each([
    ['the outcome write', 503, (s: Setup) => s.outcomes.record.mockRejectedValue(new Error('db away'))],
    ['loading the delivery', 503, (s: Setup) => s.gate.admit.mockRejectedValue(new Error('db away'))],
    ['disabling on 410', 410, (s: Setup) => s.subscriptions.disable.mockRejectedValue(new Error('db away'))],
  ] as const)('on its last attempt, steps aside rather than failing when %s fails', async (_, status, breakIt) => {
    const s = setup({ status }, 13);
    breakIt(s);
    await expect(s.processor.process(s.job, 'token')).rejects.toBeInstanceOf(DelayedError);
    expect(s.job.moveToDelayed).toHaveBeenCalledTimes(1);
  });

  it('steps aside longer each time PostgreSQL or Redis keeps failing it', async () => {
    const random = jest.spyOn(Math, 'random').mockReturnValue(0);
    try {
      const delays: number[] = [];
      for (const setAsideBefore of [0, 1, 2, 10]) {
        const { processor, job, gate } = setup({ status: 204 }, 3, 3 + 1 + setAsideBefore);
        gate.admit.mockRejectedValue(new Error('Connection terminated'));
        await expect(processor.process(job, 'token')).rejects.toBeInstanceOf(DelayedError);
        delays.push(delayOf(job));
      }
      expect(delays[1]).toBeGreaterThan(delays[0] * 1.5);
      expect(delays[2]).toBeGreaterThan(delays[1] * 1.5);
      expect(delays[3]).toBeGreaterThanOrEqual(30_000);
    } finally {
      random.mockRestore();
    }
  });

  it('rethrows a held delivery’s DelayedError from the gate as it is', async () => {
    const { processor, job, gate } = setup({ status: 204 });
    const held = new DelayedError('held');
    gate.admit.mockRejectedValue(held);
    await expect(processor.process(job, 'token')).rejects.toBe(held);
    expect(job.moveToDelayed).not.toHaveBeenCalled();
  });

  it('sets a crowded job aside longer each time, up to at least the webhook timeout', async () => {
    const random = jest.spyOn(Math, 'random').mockReturnValue(0);
    try {
      const delays: number[] = [];
      for (const setAsideBefore of [0, 1, 2, 3, 10]) {
        const { processor, job, pace } = setup({ status: 204 }, 0, 1 + setAsideBefore);
        for (let i = 0; i < MAX_IN_FLIGHT_PER_SUBSCRIPTION; i++) pace.enter('s-1');
        await expect(processor.process(job, 'token')).rejects.toBeInstanceOf(DelayedError);
        delays.push(delayOf(job));
      }
      expect(delays[0]).toBeLessThan(1000);
      expect(delays[1]).toBeGreaterThan(delays[0] * 1.5);
      expect(delays[3]).toBeGreaterThan(delays[2] * 1.5);
      expect(delays[4]).toBeGreaterThanOrEqual(WEBHOOK_TIMEOUT_MS - 50);
    } finally {
      random.mockRestore();
    }
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
