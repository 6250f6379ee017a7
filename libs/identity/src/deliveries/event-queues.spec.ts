import { ResolvedConfig } from '@app/platform';
import { Queue } from 'bullmq';
import { DELIVERY_ATTEMPTS } from './delivery-backoff';
import { JobName } from './delivery-jobs';
import { EventQueues } from './event-queues';

describe('EventQueues', () => {
  const setup = () => {
    const queues = new EventQueues({ deliveryBackoffMs: 1000 } as ResolvedConfig);
    const addBulk = jest.fn().mockResolvedValue([]);
    jest.spyOn(queues, 'queue').mockReturnValue({ addBulk } as unknown as Queue);
    const added = () => (addBulk.mock.calls[0] as [{ name: string; data: object; opts: Record<string, unknown> }[]])[0];
    return { queues, added };
  };

  it('gives a new delivery its whole schedule, at once', async () => {
    const { queues, added } = setup();
    await queues.addDeliveries([{ id: 'd-1', round: 0, subscriptionId: 's-1', kind: 'webhook' }]);
    const [job] = added();
    expect(job.name).toBe(JobName.WebhookDelivery);
    expect(job.data).toEqual({ deliveryId: 'd-1', round: 0, subscriptionId: 's-1' });
    expect(job.opts).toMatchObject({ jobId: 'd-1', attempts: DELIVERY_ATTEMPTS });
    expect(job.opts.delay).toBeUndefined();
  });

  it('goes on with the schedule of a replayed delivery that made attempts already', async () => {
    const { queues, added } = setup();
    await queues.addDeliveries([
      { id: 'd-1', round: 0, subscriptionId: 's-1', kind: 'webhook', attempts: 3 },
      { id: 'd-2', round: 0, subscriptionId: 's-1', kind: 'webhook', attempts: 0 },
      { id: 'd-3', round: 0, subscriptionId: 's-1', kind: 'webhook', attempts: 40 },
    ]);
    const [resumed, fresh, spent] = added();
    expect(resumed.data).toMatchObject({ attemptsBefore: 3 });
    expect(resumed.opts.attempts).toBe(DELIVERY_ATTEMPTS - 3);
    // The third retry's backoff: 4 × the base, ±20 %.
    expect(resumed.opts.delay).toBeGreaterThanOrEqual(3200);
    expect(resumed.opts.delay).toBeLessThanOrEqual(4800);
    expect(fresh.opts).toMatchObject({ attempts: DELIVERY_ATTEMPTS });
    expect(fresh.opts.delay).toBeUndefined();
    // However many were recorded, the job makes at least one attempt, so the row cannot stay pending with no job.
    expect(spent.opts.attempts).toBe(1);
  });

  it('delays a repaired delivery as asked instead of by the backoff', async () => {
    const { queues, added } = setup();
    await queues.addDeliveries([
      { id: 'd-1', round: 0, subscriptionId: 's-1', kind: 'webhook', attempts: 3, delayMs: 0 },
      { id: 'd-2', round: 2, subscriptionId: 's-1', kind: 'queue', attempts: 0, delayMs: 500 },
    ]);
    const [overdue, later] = added();
    expect(overdue.opts).toMatchObject({ jobId: 'd-1', attempts: DELIVERY_ATTEMPTS - 3, delay: 0 });
    expect(later.name).toBe(JobName.QueueDelivery);
    expect(later.opts).toMatchObject({ jobId: 'd-2-r2', attempts: DELIVERY_ATTEMPTS, delay: 500 });
  });

  it('hands a first attempt still running to a job delayed as asked, its attempt counted before', async () => {
    const { queues, added } = setup();
    await queues.addRetries([{ id: 'd-1', round: 0, subscriptionId: 's-1' }], 12_000);
    const [job] = added();
    expect(job.data).toMatchObject({ attemptsBefore: 1 });
    expect(job.opts).toMatchObject({ attempts: DELIVERY_ATTEMPTS - 1, delay: 12_000 });
  });
});
