import { DeliveryRepository } from '@app/identity/deliveries/delivery.repository';
import { NewDelivery } from '@app/identity/deliveries/delivery-fan-out';
import { FanOutJob } from '@app/identity/deliveries/delivery-jobs';
import { EventQueues } from '@app/identity/deliveries/event-queues';
import { Job } from 'bullmq';
import { FIRST_ATTEMPT_BUDGET_MS, SubscriberPace } from '../delivery/subscriber-pace';
import { AttemptResult, WebhookAttempt } from '../delivery/webhook-attempt';
import { FanOutProcessor } from './fan-out.processor';

describe('FanOutProcessor', () => {
  const event = {
    id: 'e-1',
    type: 'user.created',
    occurredAt: '2026-01-01T00:00:00.000Z',
    tenant: { id: 't', slug: 't' },
    subject: { type: 'user', id: 'u' },
    sequence: 1,
    data: {},
  };
  const webhook = (subscriptionId: string, heldByAttempts: number | null = null): NewDelivery => ({
    id: `d-${subscriptionId}`,
    round: 0,
    subscriptionId,
    kind: 'webhook',
    url: `https://${subscriptionId}.example/h`,
    secretSealed: Buffer.from('sealed'),
    heldByAttempts,
  });

  const setup = (deliveries: NewDelivery[], verdicts: Record<string, AttemptResult['verdict']> = {}) => {
    const repository = { fanOut: jest.fn().mockResolvedValue({ state: 'recorded', event, deliveries }) };
    const queues = {
      addDeliveries: jest.fn().mockResolvedValue(undefined),
      addRetries: jest.fn().mockResolvedValue(undefined),
    };
    const attempts = {
      make: jest.fn((target: NewDelivery) =>
        Promise.resolve({ verdict: verdicts[target.subscriptionId] ?? 'delivered', error: null }),
      ),
    };
    const pace = new SubscriberPace();
    const processor = new FanOutProcessor(
      repository as unknown as DeliveryRepository,
      queues as unknown as EventQueues,
      attempts as unknown as WebhookAttempt,
      pace,
    );
    const job = { data: { eventId: 'e-1' } } as unknown as Job<FanOutJob>;
    return { processor, job, queues, attempts, pace };
  };

  it('makes first attempts within the budget, and hands a timed-out one to a retry job', async () => {
    const { processor, job, queues, attempts } = setup([webhook('fast'), webhook('hole')], { hole: 'retry' });
    await processor.process(job, 'token');
    expect(attempts.make).toHaveBeenCalledTimes(2);
    for (const [, , , place] of attempts.make.mock.calls as unknown as [unknown, unknown, unknown, object][]) {
      expect(place).toEqual({ attempt: 1, final: false, timeoutMs: FIRST_ATTEMPT_BUDGET_MS });
    }
    expect(queues.addDeliveries).not.toHaveBeenCalled();
    expect(queues.addRetries).toHaveBeenCalledWith([expect.objectContaining({ id: 'd-hole', subscriptionId: 'hole' })]);
  });

  it('hands a slow subscriber’s delivery straight to a job, as it does a held one', async () => {
    const { processor, job, queues, attempts, pace } = setup([webhook('fast'), webhook('slow'), webhook('ordered', 0)]);
    pace.observe('slow', { elapsedMs: FIRST_ATTEMPT_BUDGET_MS, timedOut: true });
    await processor.process(job, 'token');
    expect(attempts.make).toHaveBeenCalledTimes(1);
    expect(attempts.make).toHaveBeenCalledWith(
      expect.objectContaining({ subscriptionId: 'fast' }),
      'e-1',
      expect.any(String),
      expect.anything(),
    );
    expect(queues.addDeliveries).toHaveBeenCalledWith([
      expect.objectContaining({ id: 'd-slow', subscriptionId: 'slow', kind: 'webhook' }),
      expect.objectContaining({ id: 'd-ordered', subscriptionId: 'ordered', kind: 'webhook' }),
    ]);
    expect(queues.addRetries).not.toHaveBeenCalled();
  });
});
