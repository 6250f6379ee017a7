import { DeliveryOutcome, OutcomeBatcher, toOutcomeColumns } from './outcome-batcher';

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

  it('flush writes what waits without waiting for the timer', async () => {
    const { batches, write } = writerReturning();
    const batcher = new OutcomeBatcher(write, { maxDelayMs: 60_000, maxBatch: 100 });
    const recorded = batcher.record(outcome('a'));
    await batcher.flush();
    expect(batches).toEqual([['a']]);
    await expect(recorded).resolves.toBe(7);
  });
});
