import { DeliveryOutcome, OutcomeBatcher, takeBatch, toOutcomeColumns } from './outcome-batcher';

const outcome = (id: string, extra: Partial<DeliveryOutcome> = {}): DeliveryOutcome => ({
  id,
  round: 0,
  delivered: true,
  final: false,
  responseStatus: 204,
  error: null,
  at: new Date('2026-01-01T00:00:00.000Z'),
  ...extra,
});

describe('toOutcomeColumns', () => {
  it('turns outcomes into one array per column, in order', () => {
    expect(
      toOutcomeColumns([
        outcome('a'),
        outcome('b', { round: 1, delivered: false, final: true, responseStatus: null, error: 'refused' }),
      ]),
    ).toEqual({
      ids: ['a', 'b'],
      rounds: [0, 1],
      delivered: [true, false],
      final: [false, true],
      statuses: [204, null],
      errors: [null, 'refused'],
      ats: ['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
    });
  });

  it('keeps the first outcome of a delivery and round that appears twice', () => {
    const columns = toOutcomeColumns([
      outcome('a'),
      outcome('a', { responseStatus: 500 }),
      outcome('a', { round: 1, responseStatus: 202 }),
    ]);
    expect(columns.ids).toEqual(['a', 'a']);
    expect(columns.statuses).toEqual([204, 202]);
  });

  it('cuts long errors to 1,000 characters', () => {
    expect(toOutcomeColumns([outcome('a', { error: 'x'.repeat(5000) })]).errors[0]).toHaveLength(1000);
  });
});

describe('OutcomeBatcher', () => {
  const writerReturning = () => {
    const batches: string[][] = [];
    const write = jest.fn((outcomes: readonly DeliveryOutcome[]) => {
      batches.push(outcomes.map((o) => o.id));
      return Promise.resolve(new Map(outcomes.filter((o) => o.delivered).map((o) => [o.id, 7] as const)));
    });
    return { batches, write };
  };

  it('writes the outcomes of one moment in one batch, and resolves each with its latency', async () => {
    const { batches, write } = writerReturning();
    const batcher = new OutcomeBatcher(write, { maxDelayMs: 5, maxBatch: 100 });
    const results = await Promise.all([
      batcher.record(outcome('a')),
      batcher.record(outcome('b', { delivered: false })),
      batcher.record(outcome('c')),
    ]);
    expect(batches).toEqual([['a', 'b', 'c']]);
    expect(results).toEqual([7, undefined, 7]);
  });

  it('writes a full batch at once, and the rest as the next batch', async () => {
    const { batches, write } = writerReturning();
    const batcher = new OutcomeBatcher(write, { maxDelayMs: 60_000, maxBatch: 2 });
    const pending = ['a', 'b', 'c'].map((id) => batcher.record(outcome(id)));
    await Promise.all(pending.slice(0, 2));
    await batcher.flush();
    await Promise.all(pending);
    expect(batches).toEqual([['a', 'b'], ['c']]);
  });

  it('keeps one write in flight; what arrives meanwhile is the next batch', async () => {
    let release: () => void = () => undefined;
    const batches: string[][] = [];
    const write = (outcomes: readonly DeliveryOutcome[]) => {
      batches.push(outcomes.map((o) => o.id));
      return batches.length === 1
        ? new Promise<ReadonlyMap<string, number>>((resolve) => (release = () => resolve(new Map())))
        : Promise.resolve(new Map<string, number>());
    };
    const batcher = new OutcomeBatcher(write, { maxDelayMs: 1, maxBatch: 100 });
    const first = batcher.record(outcome('a'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const later = [batcher.record(outcome('b')), batcher.record(outcome('c'))];
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(batches).toEqual([['a']]);
    release();
    await Promise.all([first, ...later]);
    expect(batches).toEqual([['a'], ['b', 'c']]);
  });

  it('rejects every outcome of a batch that could not be written, so none is taken as recorded', async () => {
    const batcher = new OutcomeBatcher(() => Promise.reject(new Error('PostgreSQL is away')), {
      maxDelayMs: 1,
      maxBatch: 100,
    });
    const results = await Promise.allSettled([batcher.record(outcome('a')), batcher.record(outcome('b'))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('writes a second outcome of a delivery in the same moment as the next batch, not dropping it', async () => {
    const written: DeliveryOutcome[][] = [];
    const write = jest.fn((outcomes: readonly DeliveryOutcome[]) => {
      written.push([...outcomes]);
      return Promise.resolve(new Map(outcomes.filter((o) => o.delivered).map((o) => [o.id, 7] as const)));
    });
    const batcher = new OutcomeBatcher(write, { maxDelayMs: 5, maxBatch: 100 });
    // A stalled job's 500 and its replay's 2xx land within one batch's moment.
    const results = await Promise.all([
      batcher.record(outcome('a', { delivered: false, responseStatus: 500 })),
      batcher.record(outcome('b')),
      batcher.record(outcome('a', { responseStatus: 204 })),
      batcher.record(outcome('c')),
    ]);
    expect(written.map((batch) => batch.map((o) => `${o.id}:${o.responseStatus}`))).toEqual([
      ['a:500', 'b:204', 'c:204'],
      ['a:204'],
    ]);
    expect(results).toEqual([undefined, 7, 7, 7]);
  });

  it('resolves a carried outcome only once its own batch is written', async () => {
    const releases: (() => void)[] = [];
    const write = () => new Promise<ReadonlyMap<string, number>>((resolve) => releases.push(() => resolve(new Map())));
    const batcher = new OutcomeBatcher(write, { maxDelayMs: 1, maxBatch: 100 });
    let secondDone = false;
    const first = batcher.record(outcome('a', { delivered: false }));
    const second = batcher.record(outcome('a')).then(() => (secondDone = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    releases[0]();
    await first;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(secondDone).toBe(false);
    releases[1]();
    await second;
    expect(secondDone).toBe(true);
  });

  it('takeBatch keeps one outcome per delivery and round, carrying the others to the front', () => {
    const waiting = ['a', 'b', 'a', 'c', 'd'].map((id) => ({ outcome: outcome(id) }));
    const { batch, rest } = takeBatch(waiting, 3);
    expect(batch.map((w) => w.outcome.id)).toEqual(['a', 'b', 'c']);
    expect(rest.map((w) => w.outcome.id)).toEqual(['a', 'd']);
  });

  it('flush writes what waits without waiting for the timer', async () => {
    const { batches, write } = writerReturning();
    const batcher = new OutcomeBatcher(write, { maxDelayMs: 60_000, maxBatch: 100 });
    const recorded = batcher.record(outcome('a'));
    await batcher.flush();
    expect(batches).toEqual([['a']]);
    await expect(recorded).resolves.toBe(7);
  });
});
