import { DeliveryRepository } from '@app/identity/deliveries/delivery.repository';
import { DeliveryOutcomes } from './delivery-outcomes';

describe('DeliveryOutcomes', () => {
  it('on shutdown, waits for an attempt no job waits for, and writes its outcome', async () => {
    const recordOutcomes = jest.fn().mockResolvedValue(new Map());
    const outcomes = new DeliveryOutcomes({ recordOutcomes } as unknown as DeliveryRepository);
    let answer: () => void = () => undefined;
    const attempt = new Promise<void>((resolve) => (answer = resolve)).then(() =>
      outcomes.record({
        id: 'd-1',
        round: 0,
        delivered: true,
        final: false,
        responseStatus: 204,
        error: null,
        at: new Date(),
      }),
    );
    outcomes.awaitOnShutdown(attempt);
    let flushed = false;
    const flush = outcomes.flush().then(() => (flushed = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(flushed).toBe(false);
    answer();
    await flush;
    expect(recordOutcomes).toHaveBeenCalledWith([expect.objectContaining({ id: 'd-1', delivered: true })]);
  });

  it('does not let a failed unowned attempt stop the shutdown', async () => {
    const outcomes = new DeliveryOutcomes({ recordOutcomes: jest.fn() } as unknown as DeliveryRepository);
    outcomes.awaitOnShutdown(Promise.reject(new Error('PostgreSQL is away')));
    await expect(outcomes.flush()).resolves.toBeUndefined();
  });
});
