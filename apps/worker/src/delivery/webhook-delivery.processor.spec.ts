import { DeliveryRepository } from '@app/identity/deliveries/delivery.repository';
import { DeliveryAttemptRow } from '@app/identity/deliveries/delivery.row';
import { SecretBox } from '@app/identity/secrets/secret-box';
import { SubscriptionRepository } from '@app/identity/subscriptions/subscription.repository';
import { Job, UnrecoverableError } from 'bullmq';
import { FanOutMetrics } from '../metrics/fan-out.metrics';
import { DeliveryGate } from './delivery-gate';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor';
import { WebhookResponse } from './webhook-sender';

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
    const deliveries = {
      markDelivered: jest.fn().mockResolvedValue(12),
      markAttemptFailed: jest.fn().mockResolvedValue(undefined),
    };
    const subscriptions = { disable: jest.fn().mockResolvedValue(undefined) };
    const sender = { send: jest.fn().mockResolvedValue(response) };
    const metrics = { delivered: jest.fn(), outcome: jest.fn() };
    const processor = new WebhookDeliveryProcessor(
      { admit: jest.fn().mockResolvedValue(delivery) } as unknown as DeliveryGate,
      deliveries as unknown as DeliveryRepository,
      subscriptions as unknown as SubscriptionRepository,
      { open: jest.fn().mockReturnValue('whsec_c2VjcmV0') } as unknown as SecretBox,
      sender,
      metrics as unknown as FanOutMetrics,
    );
    const job = { data: { deliveryId: 'd-1', round: 0 }, attemptsMade, opts: { attempts: 14 } } as unknown as Job<{
      deliveryId: string;
      round: number;
    }>;
    return { processor, job, deliveries, subscriptions, sender, metrics };
  };

  it('signs with the opened secret and records a 2xx as delivered', async () => {
    const { processor, job, deliveries, sender } = setup({ status: 204 });
    await processor.process(job, 'token');
    expect(sender.send).toHaveBeenCalledWith(
      expect.objectContaining({ messageId: 'e-1', secret: 'whsec_c2VjcmV0', url: delivery.url }),
    );
    expect(JSON.parse((sender.send.mock.calls[0] as [{ body: string }])[0].body)).toEqual(delivery.event);
    expect(deliveries.markDelivered).toHaveBeenCalledWith('d-1', 0, { responseStatus: 204, error: null });
  });

  it('disables the subscription on 410 and fails for good', async () => {
    const { processor, job, subscriptions, deliveries } = setup({ status: 410 });
    await expect(processor.process(job, 'token')).rejects.toBeInstanceOf(UnrecoverableError);
    expect(subscriptions.disable).toHaveBeenCalledWith('s-1', expect.stringContaining('410'));
    expect(deliveries.markAttemptFailed).toHaveBeenCalledWith(
      'd-1',
      0,
      expect.objectContaining({ responseStatus: 410 }),
      true,
    );
  });

  it('fails for good on a 4xx other than 408 and 429', async () => {
    const { processor, job, deliveries } = setup({ status: 422 });
    await expect(processor.process(job, 'token')).rejects.toBeInstanceOf(UnrecoverableError);
    expect(deliveries.markAttemptFailed).toHaveBeenCalledWith(
      'd-1',
      0,
      { responseStatus: 422, error: 'HTTP 422' },
      true,
    );
  });

  it.each([[{ status: 500 }], [{ status: 429 }], [{ error: 'connection failed: ECONNREFUSED' }]] as const)(
    'rethrows %j so BullMQ retries, keeping the delivery pending',
    async (response) => {
      const { processor, job, deliveries } = setup(response);
      await expect(processor.process(job, 'token')).rejects.not.toBeInstanceOf(UnrecoverableError);
      expect(deliveries.markAttemptFailed).toHaveBeenCalledWith('d-1', 0, expect.any(Object), false);
    },
  );

  it('marks the delivery failed on the last attempt', async () => {
    const { processor, job, deliveries } = setup({ status: 503 }, 13);
    await expect(processor.process(job, 'token')).rejects.toThrow('HTTP 503');
    expect(deliveries.markAttemptFailed).toHaveBeenCalledWith(
      'd-1',
      0,
      { responseStatus: 503, error: 'HTTP 503' },
      true,
    );
  });
});
