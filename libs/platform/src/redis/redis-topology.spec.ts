import { Cluster, Redis } from 'ioredis';
import { describeRedis, openRedis, queuePrefixOf, serverOptionsOf, singleServerOptions } from './redis-topology';

const CLUSTER = {
  redisUrl: 'rediss://gateway:s%3Acret@ignored.example:6380/3',
  redisCluster: {
    nodes: [
      { host: 'redis-1.internal', port: 6379 },
      { host: 'fd00::2', port: 6379 },
    ],
  },
};
const SENTINEL = {
  redisUrl: 'redis://:pw@ignored.example/2',
  redisSentinel: { sentinels: [{ host: 'sentinel-a', port: 26379 }], name: 'gw-main' },
};

describe('Redis topology', () => {
  it("takes REDIS_URL's user, password, database and TLS for every server", () => {
    expect(serverOptionsOf('rediss://gateway:s%3Acret@redis.example:6380/3')).toEqual({
      username: 'gateway',
      password: 's:cret',
      db: 3,
      tls: {},
    });
    expect(serverOptionsOf('redis://127.0.0.1:6379')).toEqual({ db: 0 });
  });

  it("reaches the master through the sentinels, with REDIS_URL's password and database", () => {
    expect(singleServerOptions(SENTINEL, { connectionName: 'x' })).toEqual({
      password: 'pw',
      db: 2,
      sentinels: [{ host: 'sentinel-a', port: 26379 }],
      name: 'gw-main',
      connectionName: 'x',
    });
    expect(singleServerOptions({ redisUrl: 'redis://[::1]:7000' }, {})).toMatchObject({ host: '::1', port: 7000 });
  });

  it("opens a Cluster on the nodes, REDIS_URL's credentials and TLS on each node, and no database", () => {
    const client = openRedis(
      CLUSTER,
      { lazyConnect: true, maxRetriesPerRequest: null, enableOfflineQueue: false, retryStrategy: () => 1 },
      { retryMs: () => 100 },
    );
    try {
      expect(client).toBeInstanceOf(Cluster);
      const cluster = client as Cluster;
      expect(cluster.options.redisOptions).toMatchObject({
        username: 'gateway',
        password: 's:cret',
        tls: {},
        maxRetriesPerRequest: null,
      });
      expect(cluster.options.redisOptions).not.toHaveProperty('db');
      expect(cluster.options.enableOfflineQueue).toBe(false);
      // With TLS, the names the certificates hold are kept rather than resolved.
      expect(cluster.options.dnsLookup).toBeDefined();
    } finally {
      client.disconnect();
    }
    const plain = openRedis({ redisUrl: 'redis://127.0.0.1:1' }, { lazyConnect: true }, { retryMs: () => 100 });
    expect(plain).toBeInstanceOf(Redis);
    plain.disconnect();
  });

  it('hash-tags the queue prefix on a cluster only', () => {
    expect(queuePrefixOf({ redisPrefix: 'gw', ...CLUSTER })).toBe('{gw}');
    expect(queuePrefixOf({ redisPrefix: 'gw', ...SENTINEL })).toBe('gw');
    expect(queuePrefixOf({ redisPrefix: 'gw' })).toBe('gw');
  });

  it('describes where Redis is without its password', () => {
    expect(describeRedis(CLUSTER)).toBe('Redis Cluster (REDIS_CLUSTER_NODES redis-1.internal:6379,[fd00::2]:6379)');
    expect(describeRedis(SENTINEL)).toBe('Redis master gw-main (REDIS_SENTINELS sentinel-a:26379)');
    expect(describeRedis({ redisUrl: 'redis://:pw@redis.example:6379' })).toBe(
      'Redis (REDIS_URL redis://:***@redis.example:6379)',
    );
  });
});
