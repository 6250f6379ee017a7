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
  });
});

describe('redactUrl', () => {
  it('hides the password of a Redis URL', () => {
    expect(redactUrl('redis://:s3cret@cache.internal:6380/2')).toBe('redis://:***@cache.internal:6380/2');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
