import { EventsFeedRepository } from '@app/identity/events-feed/events-feed.repository';
import { PruneEventsFeedProcessor } from './prune-events-feed.processor';

describe('PruneEventsFeedProcessor', () => {
  it('prunes past the configured retention, batch after batch until a batch is not full', async () => {
    const passes = [5000, 5000, 120];
    const prune = jest.fn((_olderThanMs: number, _limit: number) => Promise.resolve(passes.shift() ?? 0));
    const processor = new PruneEventsFeedProcessor({ prune } as unknown as EventsFeedRepository, {
      eventsRetentionDays: 90,
    });
    await processor.process();
    expect(prune).toHaveBeenCalledTimes(3);
    expect(prune).toHaveBeenCalledWith(90 * 24 * 60 * 60 * 1000, 5000);
  });

  it('stops after one call when nothing is old enough', async () => {
    const prune = jest.fn(() => Promise.resolve(0));
    await new PruneEventsFeedProcessor({ prune } as unknown as EventsFeedRepository, {
      eventsRetentionDays: 1,
    }).process();
    expect(prune).toHaveBeenCalledTimes(1);
  });
});
