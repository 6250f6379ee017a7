import { DeliveryRepository, StalePendingDelivery } from '@app/identity/deliveries/delivery.repository';
import { EventQueues } from '@app/identity/deliveries/event-queues';
import { ResolvedConfig } from '@app/platform';
import { FanOutMetrics } from '../metrics/fan-out.metrics';
import { RepairDeliveriesProcessor } from './repair-deliveries.processor';

describe('RepairDeliveriesProcessor', () => {
  const stale = (id: string, round = 0, attempts = 2): StalePendingDelivery => ({
    id,
    round,
    subscriptionId: 's-1',
    kind: 'webhook',
    attempts,
    updatedAt: '2026-01-01 00:00:00+00',
    idleMs: 3_600_000,
  });

  const setup = (rows: StalePendingDelivery[], states: Record<string, string>) => {
    const jobs = new Map(
      Object.entries(states).map(([id, state]) => [
        id,
        { id, getState: jest.fn().mockResolvedValue(state), remove: jest.fn().mockResolvedValue(undefined) },
      ]),
    );
    const queue = { getJob: jest.fn((id: string) => Promise.resolve(jobs.get(id))) };
    const queues = { queue: jest.fn().mockReturnValue(queue), addDeliveries: jest.fn().mockResolvedValue(undefined) };
    const deliveries = { stalePending: jest.fn().mockResolvedValue(rows) };
    const metrics = { repaired: jest.fn() };
    const processor = new RepairDeliveriesProcessor(
      deliveries as unknown as DeliveryRepository,
      queues as unknown as EventQueues,
      metrics as unknown as FanOutMetrics,
      { deliveryBackoffMs: 60_000 } as ResolvedConfig,
    );
    return { processor, jobs, queue, queues, deliveries, metrics };
  };

  it('re-queues the missing and the failed, removing the failed job first, and leaves live jobs alone', async () => {
    const { processor, jobs, queue, queues, metrics } = setup(
      [stale('d-missing'), stale('d-failed', 1, 0), stale('d-delayed'), stale('d-waiting')],
      { 'd-failed-r1': 'failed', 'd-delayed': 'delayed', 'd-waiting': 'waiting' },
    );
    expect(await processor.repairOnce()).toBe(2);
    expect(queue.getJob).toHaveBeenCalledWith('d-failed-r1');
    const failedJob = jobs.get('d-failed-r1')!;
    expect(failedJob.remove).toHaveBeenCalled();
    expect(failedJob.remove.mock.invocationCallOrder[0]).toBeLessThan(queues.addDeliveries.mock.invocationCallOrder[0]);
    expect(queues.addDeliveries).toHaveBeenCalledTimes(1);
    expect(queues.addDeliveries).toHaveBeenCalledWith([
      expect.objectContaining({ id: 'd-missing', round: 0, attempts: 2, kind: 'webhook', delayMs: 0 }),
      expect.objectContaining({ id: 'd-failed', round: 1, attempts: 0, delayMs: 0 }),
    ]);
    expect(metrics.repaired).toHaveBeenCalledWith('webhook', 'missing');
    expect(metrics.repaired).toHaveBeenCalledWith('webhook', 'failed');
  });

  it('adds nothing when every job is alive', async () => {
    const { processor, queues } = setup([stale('d-1')], { 'd-1': 'delayed' });
    expect(await processor.repairOnce()).toBe(0);
    expect(queues.addDeliveries).not.toHaveBeenCalled();
  });

  it('goes on after the last row of a full batch, and starts over after a short one', async () => {
    const full = Array.from({ length: 500 }, (_, i) => stale(`d-${i}`));
    const states = Object.fromEntries(full.map((row) => [row.id, 'delayed']));
    const { processor, deliveries } = setup(full, states);
    await processor.repairOnce();
    deliveries.stalePending.mockResolvedValue([]);
    await processor.repairOnce();
    await processor.repairOnce();
    const cursors = deliveries.stalePending.mock.calls.map((call: unknown[]) => call[2]);
    expect(cursors[0]).toBeUndefined();
    expect(cursors[1]).toMatchObject({ id: 'd-499' });
    expect(cursors[2]).toBeUndefined();
  });
});
