import { isRedisConnectionError, isRedisUnavailable } from './redis-errors';

describe('isRedisUnavailable', () => {
  it.each([
    ["Stream isn't writeable and enableOfflineQueue options is false"],
    ['Connection is closed.'],
    ['Command timed out'],
    ["Cluster isn't ready and enableOfflineQueue options is false"],
    ['None of startup nodes is available'],
    ['Failed to refresh slots cache.'],
    ['CLUSTERDOWN The cluster is down'],
  ])('recognises "%s"', (message) => {
    expect(isRedisUnavailable(new Error(message))).toBe(true);
  });

  it('recognises a request that ran out of retries', () => {
    const error = Object.assign(new Error('Reached the max retries per request limit (which is 1).'), {
      name: 'MaxRetriesPerRequestError',
    });
    expect(isRedisUnavailable(error)).toBe(true);
  });

  it('leaves other errors alone', () => {
    expect(isRedisUnavailable(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBe(
      false,
    );
    expect(isRedisUnavailable('Connection is closed.')).toBe(false);
  });
});

describe('isRedisConnectionError', () => {
  it('recognises a refused or lost connection', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(isRedisConnectionError(refused)).toBe(true);
    expect(isRedisConnectionError(new Error('Connection is closed.'))).toBe(true);
  });

  it('leaves a failing handler alone', () => {
    expect(isRedisConnectionError(new Error('relation "users" does not exist'))).toBe(false);
    expect(isRedisConnectionError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
  });
});
