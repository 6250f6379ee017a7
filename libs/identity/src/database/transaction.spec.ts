import { DataSource, QueryFailedError } from 'typeorm';
import { transaction } from './transaction';

function failure(code: string): QueryFailedError {
  return new QueryFailedError('SELECT 1', [], Object.assign(new Error(`pg error ${code}`), { code }));
}

/** A DataSource whose transactions fail with the given errors first, then succeed. */
function dataSourceFailing(...errors: Error[]): { dataSource: DataSource; attempts: () => number } {
  let attempts = 0;
  const dataSource = {
    transaction: async (work: (em: unknown) => Promise<unknown>) => {
      attempts += 1;
      const error = errors.shift();
      if (error) throw error;
      return work({});
    },
  } as unknown as DataSource;
  return { dataSource, attempts: () => attempts };
}

describe('transaction', () => {
  it.each(['40P01', '40001'])('runs the work again after a %s abort', async (code) => {
    const { dataSource, attempts } = dataSourceFailing(failure(code));
    await expect(transaction(dataSource, () => Promise.resolve('done'))).resolves.toBe('done');
    expect(attempts()).toBe(2);
  });

  it('gives up after three attempts', async () => {
    const { dataSource, attempts } = dataSourceFailing(failure('40P01'), failure('40P01'), failure('40P01'));
    await expect(transaction(dataSource, () => Promise.resolve('done'))).rejects.toThrow('pg error 40P01');
    expect(attempts()).toBe(3);
  });

  it.each([
    ['a unique violation', failure('23505')],
    ['an error of the work itself', new Error('refused')],
  ])('does not repeat %s', async (_case, error) => {
    const { dataSource, attempts } = dataSourceFailing(error);
    await expect(transaction(dataSource, () => Promise.resolve('done'))).rejects.toBe(error);
    expect(attempts()).toBe(1);
  });
});
