import { OutageReporter } from './outage-reporter';
import { redactUrl } from './redis.module';

describe('OutageReporter', () => {
  it('warns once per outage and says when it ends', () => {
    const log = { warn: jest.fn(), log: jest.fn() };
    const reporter = new OutageReporter(log, 'Redis at redis://127.0.0.1:1');
    reporter.recovered();
    expect(log.log).not.toHaveBeenCalled();
    for (let attempt = 0; attempt < 10; attempt++) reporter.failed(new Error('connect ECONNREFUSED 127.0.0.1:1'));
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn).toHaveBeenCalledWith(
      'Redis at redis://127.0.0.1:1 is unavailable (connect ECONNREFUSED 127.0.0.1:1); retrying in the background',
    );
    reporter.recovered();
    reporter.recovered();
    expect(log.log).toHaveBeenCalledTimes(1);
    reporter.failed(new Error('Connection is closed.'));
    expect(log.warn).toHaveBeenCalledTimes(2);
    reporter.recovered();
  });

  it('speaks once for every client of the process that sees the same outage', () => {
    const logs = [1, 2, 3].map(() => ({ warn: jest.fn(), log: jest.fn() }));
    const [scim, oidc, worker] = logs.map((log) => new OutageReporter(log, 'Redis (REDIS_URL redis://127.0.0.1:2)'));
    const other = { warn: jest.fn(), log: jest.fn() };
    const elsewhere = new OutageReporter(other, 'Redis (REDIS_URL redis://127.0.0.1:3)');
    for (const reporter of [scim, oidc, worker, elsewhere]) reporter.failed(new Error('connect ECONNREFUSED'));
    expect(logs.reduce((warned, log) => warned + log.warn.mock.calls.length, 0)).toBe(1);
    expect(other.warn).toHaveBeenCalledTimes(1);

    // Back only when every client that missed it is back.
    scim.recovered();
    oidc.recovered();
    expect(logs.reduce((said, log) => said + log.log.mock.calls.length, 0)).toBe(0);
    worker.recovered();
    expect(logs.reduce((said, log) => said + log.log.mock.calls.length, 0)).toBe(1);

    // A new outage is a new warning.
    oidc.failed(new Error('Connection is closed.'));
    expect(logs.reduce((warned, log) => warned + log.warn.mock.calls.length, 0)).toBe(2);
  });
});

describe('redactUrl', () => {
  it('hides the password of a Redis URL', () => {
    expect(redactUrl('redis://:s3cret@cache.internal:6380/2')).toBe('redis://:***@cache.internal:6380/2');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
