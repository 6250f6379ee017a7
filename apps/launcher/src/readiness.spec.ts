import { missingDependencies } from './readiness';

describe('missingDependencies', () => {
  it('reads the dependencies terminus reports down, in name order', () => {
    expect(
      missingDependencies({
        status: 'error',
        info: { postgres: { status: 'up' } },
        error: { redis: { status: 'down', message: 'Connection is closed.' }, cache: { status: 'down' } },
      }),
    ).toEqual(['cache', 'redis']);
  });

  it('finds none in a ready answer or in a body it cannot read', () => {
    expect(missingDependencies({ status: 'ok', info: { postgres: { status: 'up' } }, error: {} })).toEqual([]);
    expect(missingDependencies(undefined)).toEqual([]);
    expect(missingDependencies('Service Unavailable')).toEqual([]);
    expect(missingDependencies({ error: null })).toEqual([]);
  });
});
