import { BatchWriter } from './batch-writer';

describe('BatchWriter', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const writer = (options: Partial<ConstructorParameters<typeof BatchWriter<number>>[0]> = {}) => {
    const batches: number[][] = [];
    const drops: number[] = [];
    const batchWriter = new BatchWriter<number>({
      write: (rows) => {
        batches.push(rows);
        return Promise.resolve();
      },
      intervalMs: 1000,
      batchSize: 3,
      maxBuffered: 5,
      onDrop: (count) => drops.push(count),
      ...options,
    });
    return { batchWriter, batches, drops };
  };

  it('writes nothing on push, and a batch once its interval passed', async () => {
    const { batchWriter, batches } = writer();
    batchWriter.push(1);
    batchWriter.push(2);
    expect(batches).toEqual([]);
    await jest.advanceTimersByTimeAsync(999);
    expect(batches).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([[1, 2]]);
    expect(batchWriter.pending).toBe(0);
  });

  it('writes a full batch without waiting', async () => {
    const { batchWriter, batches } = writer();
    [1, 2, 3, 4].forEach((row) => batchWriter.push(row));
    await jest.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([[1, 2, 3]]);
    await jest.advanceTimersByTimeAsync(1000);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('drops and counts rows beyond the bound, and batches whose write failed', async () => {
    let fail = true;
    const { batchWriter, drops, batches } = writer({
      write: (rows) => {
        if (fail) return Promise.reject(new Error('connection refused'));
        batches.push(rows);
        return Promise.resolve();
      },
      batchSize: 10,
    });
    [1, 2, 3, 4, 5, 6, 7].forEach((row) => batchWriter.push(row));
    expect(drops).toEqual([1, 1]);
    await jest.advanceTimersByTimeAsync(1000);
    expect(drops).toEqual([1, 1, 5]);
    expect(batchWriter.dropped).toBe(7);
    fail = false;
    batchWriter.push(8);
    await jest.advanceTimersByTimeAsync(1000);
    expect(batches).toEqual([[8]]);
  });

  it('writes one batch at a time', async () => {
    let release: () => void = () => undefined;
    const started: number[][] = [];
    const { batchWriter } = writer({
      write: (rows) => {
        started.push(rows);
        return new Promise((resolve) => (release = resolve));
      },
    });
    [1, 2, 3, 4, 5, 6].forEach((row) => batchWriter.push(row));
    await jest.advanceTimersByTimeAsync(0);
    expect(started).toEqual([[1, 2, 3]]);
    release();
    await jest.advanceTimersByTimeAsync(0);
    expect(started).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('writes everything on close, and takes nothing after', async () => {
    const { batchWriter, batches } = writer({ batchSize: 2, maxBuffered: 100 });
    [1, 2, 3, 4, 5].forEach((row) => batchWriter.push(row));
    await batchWriter.close();
    expect(batches.flat()).toEqual([1, 2, 3, 4, 5]);
    batchWriter.push(6);
    await jest.advanceTimersByTimeAsync(2000);
    expect(batches.flat()).toEqual([1, 2, 3, 4, 5]);
  });
});
