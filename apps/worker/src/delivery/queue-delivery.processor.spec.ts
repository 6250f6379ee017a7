import { DeliveryRepository } from '@app/identity/deliveries/delivery.repository';
import { DeliveryAttemptRow } from '@app/identity/deliveries/delivery.row';
import { DeliveryJob } from '@app/identity/deliveries/delivery-jobs';
import { EventQueues } from '@app/identity/deliveries/event-queues';
import { DelayedError, Job } from 'bullmq';
import { FanOutMetrics } from '../metrics/fan-out.metrics';
import { DeliveryGate } from './delivery-gate';
import { QueueDeliveryProcessor } from './queue-delivery.processor';

describe('QueueDeliveryProcessor', () => {
  const delivery = {
    id: 'd-1',
    subscriptionId: 's-1',
    eventId: 'e-1',
    round: 0,
    kind: 'queue',
    queue: 'consumer-queue',
    event: { id: 'e-1', type: 'user.created' },
  } as unknown as DeliveryAttemptRow;

  const setup = (attemptsMade = 0) => {
    const gate = { admit: jest.fn().mockResolvedValue(delivery) };
    const deliveries = {
      markDelivered: jest.fn().mockResolvedValue(12),
      markAttemptFailed: jest.fn().mockResolvedValue(undefined),
    };
    const target = { add: jest.fn().mockResolvedValue(undefined) };
    const queues = { target: jest.fn().mockReturnValue(target) };
    const metrics = { delivered: jest.fn(), outcome: jest.fn() };
    const processor = new QueueDeliveryProcessor(
      gate as unknown as DeliveryGate,
      deliveries as unknown as DeliveryRepository,
      queues as unknown as EventQueues,
      metrics as unknown as FanOutMetrics,
    );
    const job = {
      id: 'd-1',
      data: { deliveryId: 'd-1', round: 0, subscriptionId: 's-1' },
      attemptsMade,
      attemptsStarted: attemptsMade + 1,
      opts: { attempts: 14 },
      moveToDelayed: jest.fn().mockResolvedValue(undefined),
    } as unknown as Job<DeliveryJob>;
    return { processor, job, gate, deliveries, target, queues, metrics };
  };
  type Setup = ReturnType<typeof setup>;

  it('hands the event to the named queue, job id = event id, and records it delivered', async () => {
    const { processor, job, target, deliveries, queues, metrics } = setup();
    await processor.process(job, 'token');
    expect(queues.target).toHaveBeenCalledWith('consumer-queue');
    expect(target.add).toHaveBeenCalledWith('user.created', delivery.event, expect.objectContaining({ jobId: 'e-1' }));
    expect(deliveries.markDelivered).toHaveBeenCalledWith('d-1', 0, { responseStatus: null, error: null });
    expect(metrics.delivered).toHaveBeenCalledWith('queue', 12);
  });

  it('records a failed hand-off and rethrows it so BullMQ retries, keeping the delivery pending', async () => {
    const { processor, job, target, deliveries, metrics } = setup();
    target.add.mockRejectedValue(new Error('Redis is away'));
    await expect(processor.process(job, 'token')).rejects.toThrow('Redis is away');
    await expect(processor.process(job, 'token')).rejects.not.toBeInstanceOf(DelayedError);
    expect(deliveries.markAttemptFailed).toHaveBeenCalledWith('d-1', 0, expect.anything(), false);
    expect(metrics.outcome).toHaveBeenCalledWith('queue', 'retried');
    expect(job.moveToDelayed).not.toHaveBeenCalled();
  });

  it('marks the delivery failed when the last hand-off fails', async () => {
    const { processor, job, target, deliveries, metrics } = setup(13);
    target.add.mockRejectedValue(new Error('Redis is away'));
    await expect(processor.process(job, 'token')).rejects.toThrow('Redis is away');
    expect(deliveries.markAttemptFailed).toHaveBeenCalledWith('d-1', 0, expect.anything(), true);
    expect(metrics.outcome).toHaveBeenCalledWith('queue', 'failed');
  });

  it.each([
    ['loading the delivery', (s: Setup) => s.gate.admit.mockRejectedValue(new Error('db away'))],
    ['recording the delivery', (s: Setup) => s.deliveries.markDelivered.mockRejectedValue(new Error('db away'))],
    [
      'recording a failed hand-off',
      (s: Setup) => {
        s.target.add.mockRejectedValue(new Error('target full'));
        s.deliveries.markAttemptFailed.mockRejectedValue(new Error('db away'));
      },
    ],
  ] as const)('on its last attempt, steps aside without using it when %s fails', async (_, breakIt) => {
    const s = setup(13);
    breakIt(s);
    const failure = s.processor.process(s.job, 'token');
    await expect(failure).rejects.toBeInstanceOf(DelayedError);
    await expect(failure).rejects.toThrow('db away');
    expect(s.job.moveToDelayed).toHaveBeenCalledWith(expect.any(Number), 'token');
    expect(s.metrics.outcome).not.toHaveBeenCalled();
  });

  it('steps aside longer each time PostgreSQL keeps failing it', async () => {
    const random = jest.spyOn(Math, 'random').mockReturnValue(0);
    try {
      const delays: number[] = [];
      for (const setAsideBefore of [0, 1, 2]) {
        const s = setup(3);
        (s.job as { attemptsStarted: number }).attemptsStarted = 3 + 1 + setAsideBefore;
        s.deliveries.markDelivered.mockRejectedValue(new Error('Connection terminated'));
        await expect(s.processor.process(s.job, 'token')).rejects.toBeInstanceOf(DelayedError);
        delays.push(((s.job.moveToDelayed as jest.Mock).mock.calls[0] as [number])[0] - Date.now());
      }
      expect(delays[1]).toBeGreaterThan(delays[0] * 1.5);
      expect(delays[2]).toBeGreaterThan(delays[1] * 1.5);
    } finally {
      random.mockRestore();
    }
  });

  it('rethrows a held delivery’s DelayedError from the gate as it is', async () => {
    const { processor, job, gate } = setup();
    const held = new DelayedError('held');
    gate.admit.mockRejectedValue(held);
    await expect(processor.process(job, 'token')).rejects.toBe(held);
    expect(job.moveToDelayed).not.toHaveBeenCalled();
  });

  it('does nothing when the delivery is done already', async () => {
    const { processor, job, gate, target } = setup();
    gate.admit.mockResolvedValue(undefined);
    await processor.process(job, 'token');
    expect(target.add).not.toHaveBeenCalled();
  });
});
