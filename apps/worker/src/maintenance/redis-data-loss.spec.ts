import { dataSentinelKey, mustRepair, redisRunId, restartedSince } from './redis-data-loss';

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

  it('reads the run id of INFO server, and tells a restart from the first look', () => {
    const info =
      '# Server\r\nredis_version:7.0.15\r\nrun_id:4c1f0e2b9a7d3e5f60718293a4b5c6d7e8f90a1b\r\ntcp_port:6379\r\n';
    expect(redisRunId(info)).toBe('4c1f0e2b9a7d3e5f60718293a4b5c6d7e8f90a1b');
    expect(redisRunId('# Server\r\nredis_version:7.0.15\r\n')).toBeUndefined();
    expect(restartedSince(undefined, 'a1')).toBe(false);
    expect(restartedSince('a1', 'a1')).toBe(false);
    expect(restartedSince('a1', undefined)).toBe(false);
    expect(restartedSince('a1', 'b2')).toBe(true);
  });
});
