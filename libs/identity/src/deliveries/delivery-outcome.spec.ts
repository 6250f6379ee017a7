import { verdictOf } from './delivery-outcome';

describe('verdictOf', () => {
  it.each([
    [200, 'delivered'],
    [204, 'delivered'],
    [299, 'delivered'],
    [410, 'gone'],
    [400, 'rejected'],
    [401, 'rejected'],
    [404, 'rejected'],
    [413, 'rejected'],
    [408, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [502, 'retry'],
    [503, 'retry'],
    [301, 'retry'],
    [undefined, 'retry'],
  ] as const)('%p → %s', (status, verdict) => {
    expect(verdictOf(status)).toBe(verdict);
  });
});
