import { queuePrefixOf } from '../redis/redis-topology';
import { ConfigError } from './app-config';
import { loadConfig, parseRedisNode } from './load-config';

describe('Redis Cluster and Redis Sentinel settings', () => {
  it('uses one Redis (REDIS_URL) unless told otherwise', () => {
    const config = loadConfig({});
    expect(config.redisCluster).toBeUndefined();
    expect(config.redisSentinel).toBeUndefined();
    expect(queuePrefixOf(config)).toBe('gw');
  });

  it('reads the seed nodes of a Redis Cluster, and hash-tags the queue prefix for BullMQ', () => {
    const config = loadConfig({
      REDIS_CLUSTER_NODES: 'redis-1:6379, redis-2:6380,10.0.0.3:7000,[fd00::4]:6379',
      REDIS_PREFIX: 'idp',
    });
    expect(config.redisCluster).toEqual({
      nodes: [
        { host: 'redis-1', port: 6379 },
        { host: 'redis-2', port: 6380 },
        { host: '10.0.0.3', port: 7000 },
        { host: 'fd00::4', port: 6379 },
      ],
    });
    expect(queuePrefixOf(config)).toBe('{idp}');
    // The other keys keep the plain prefix, so they spread over the cluster's slots.
    expect(config.redisPrefix).toBe('idp');
  });

  it('reads the sentinels and the name of the master they watch', () => {
    const config = loadConfig({ REDIS_SENTINELS: 'sentinel-a:26379,sentinel-b:26379', REDIS_SENTINEL_NAME: 'gw-main' });
    expect(config.redisSentinel).toEqual({
      sentinels: [
        { host: 'sentinel-a', port: 26379 },
        { host: 'sentinel-b', port: 26379 },
      ],
      name: 'gw-main',
    });
    expect(config.redisCluster).toBeUndefined();
    expect(queuePrefixOf(config)).toBe('gw');
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: '', REDIS_SENTINELS: '', REDIS_SENTINEL_NAME: '' }).redisCluster).toBe(
      undefined,
    );
  });

  it.each([
    ['REDIS_CLUSTER_NODES', 'redis-1'],
    ['REDIS_CLUSTER_NODES', 'redis-1:6379,'],
    ['REDIS_CLUSTER_NODES', 'redis://redis-1:6379'],
    ['REDIS_CLUSTER_NODES', 'redis-1:0'],
    ['REDIS_CLUSTER_NODES', 'redis-1:65536'],
    ['REDIS_CLUSTER_NODES', 'fd00::4:6379'],
    ['REDIS_SENTINELS', 'sentinel-a:26379;sentinel-b:26379'],
  ])('refuses %s=%s, naming the variable and the bad entry', (name, value) => {
    const env = { [name]: value, REDIS_SENTINEL_NAME: name === 'REDIS_SENTINELS' ? 'gw-main' : undefined };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`${name}: ".*" is not host:port`));
  });

  it('refuses a Cluster and Sentinel together', () => {
    expect(() =>
      loadConfig({ REDIS_CLUSTER_NODES: 'a:1', REDIS_SENTINELS: 'b:2', REDIS_SENTINEL_NAME: 'gw-main' }),
    ).toThrow(/REDIS_CLUSTER_NODES and REDIS_SENTINELS: set one of them/);
  });

  it('refuses sentinels without the master name, and the name without sentinels', () => {
    expect(() => loadConfig({ REDIS_SENTINELS: 'b:26379' })).toThrow(/REDIS_SENTINEL_NAME: must be set/);
    expect(() => loadConfig({ REDIS_SENTINEL_NAME: 'gw-main' })).toThrow(/REDIS_SENTINELS: must be set/);
    expect(() => loadConfig({ REDIS_SENTINELS: 'b:26379', REDIS_SENTINEL_NAME: 'gw main' })).toThrow(
      /REDIS_SENTINEL_NAME: must be the name of the master/,
    );
  });

  it.each([
    ['redis-1:6379', { host: 'redis-1', port: 6379 }],
    ['[::1]:7000', { host: '::1', port: 7000 }],
    ['redis_a.internal:1', { host: 'redis_a.internal', port: 1 }],
    ['redis-1', undefined],
    [':6379', undefined],
    ['redis-1:', undefined],
    ['redis-1:port', undefined],
  ])('parses the node %s', (text, node) => {
    expect(parseRedisNode(text)).toEqual(node);
  });
});
