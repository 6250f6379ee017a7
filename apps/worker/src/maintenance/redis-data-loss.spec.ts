import { dataSentinelKey, mustRepair } from './redis-data-loss';

describe('Redis data loss', () => {
  it('keeps the sentinel under the queue prefix, so a hash-tagged prefix puts it in the queues slot', () => {
    expect(dataSentinelKey('gw')).toBe('gw:data-sentinel');
    expect(dataSentinelKey('{gw}')).toBe('{gw}:data-sentinel');
  });

  it('repairs only on the replica that recreated the sentinel', () => {
    expect(mustRepair('recreated')).toBe(true);
    expect(mustRepair('present')).toBe(false);
    expect(mustRepair('recreated-elsewhere')).toBe(false);
  });
});
