import { Cluster, Redis, RedisOptions } from 'ioredis';
import type { AppConfig } from '../config/app-config';

/**
 * A client of the gateway's Redis: one server (REDIS_URL, or the master that
 * Sentinel names) or a Redis Cluster. Both speak the same commands; on a
 * cluster, keys used in one MULTI, pipeline or script must share a hash slot.
 */
export type RedisClient = Redis | Cluster;

/** The configuration that says where Redis is. */
export type RedisSettings = Pick<AppConfig, 'redisUrl' | 'redisCluster' | 'redisSentinel'>;

/** What every connection to one Redis server takes from REDIS_URL: credentials, database, TLS. */
export function serverOptionsOf(redisUrl: string): RedisOptions {
  const url = new URL(redisUrl);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  return {
    ...(url.username !== '' ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password !== '' ? { password: decodeURIComponent(url.password) } : {}),
    db: Number.isInteger(db) ? db : 0,
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * ioredis options for a client of one Redis server: REDIS_URL's host and port,
 * or, with REDIS_SENTINELS, the master the sentinels name (followed across a failover).
 * A cluster needs a Cluster instance instead (see openRedis).
 */
export function singleServerOptions(settings: RedisSettings, extra: RedisOptions): RedisOptions {
  const server = serverOptionsOf(settings.redisUrl);
  if (settings.redisSentinel) {
    return {
      ...server,
      sentinels: settings.redisSentinel.sentinels.map(({ host, port }) => ({ host, port })),
      name: settings.redisSentinel.name,
      ...extra,
    };
  }
  const url = new URL(settings.redisUrl);
  return {
    ...server,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? 6379 : Number(url.port),
    ...extra,
  };
}

/**
 * Opens a client with these options on the configured Redis: a Cluster when
 * REDIS_CLUSTER_NODES is set (REDIS_URL's credentials and TLS apply to every
 * node), a client of one server otherwise.
 */
export function openRedis(
  settings: RedisSettings,
  options: RedisOptions,
  cluster: { readonly retryMs: (attempt: number) => number; readonly enableOfflineQueue?: boolean },
): RedisClient {
  if (settings.redisSentinel) return new Redis(singleServerOptions(settings, options));
  if (!settings.redisCluster) return new Redis(settings.redisUrl, options);
  // A cluster has no databases but 0, and its nodes' reconnection and queueing are the Cluster's own.
  const {
    db: _db,
    retryStrategy: _retry,
    enableOfflineQueue: _queue,
    lazyConnect: _lazy,
    ...perNode
  } = { ...serverOptionsOf(settings.redisUrl), ...options };
  return new Cluster(
    settings.redisCluster.nodes.map(({ host, port }) => ({ host, port })),
    {
      redisOptions: perNode,
      clusterRetryStrategy: cluster.retryMs,
      enableOfflineQueue: cluster.enableOfflineQueue ?? options.enableOfflineQueue ?? true,
      ...(options.lazyConnect !== undefined ? { lazyConnect: options.lazyConnect } : {}),
      // Nodes announce the addresses they were started with: with TLS, keep the
      // name the certificate holds rather than a resolved address.
      ...(perNode.tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
    },
  );
}

/**
 * The prefix of BullMQ's keys (and of the worker's data sentinel). On a Redis
 * Cluster it is REDIS_PREFIX as a hash tag (`{gw}`), as BullMQ requires there:
 * its scripts touch many keys of a queue at once, which must share a slot. The
 * gateway's other keys keep the plain prefix, so they spread over the cluster.
 */
export function queuePrefixOf(config: Pick<AppConfig, 'redisPrefix' | 'redisCluster'>): string {
  return config.redisCluster ? `{${config.redisPrefix}}` : config.redisPrefix;
}

/** `host:port,host:port`, IPv6 hosts in brackets. */
function list(nodes: readonly { host: string; port: number }[]): string {
  return nodes.map(({ host, port }) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`)).join(',');
}

/** Where Redis is, for a log line (no credentials). */
export function describeRedis(settings: RedisSettings): string {
  if (settings.redisCluster) return `Redis Cluster (REDIS_CLUSTER_NODES ${list(settings.redisCluster.nodes)})`;
  if (settings.redisSentinel) {
    return `Redis master ${settings.redisSentinel.name} (REDIS_SENTINELS ${list(settings.redisSentinel.sentinels)})`;
  }
  return `Redis (REDIS_URL ${redactUrl(settings.redisUrl)})`;
}

/** Where the gateway looks for Redis and the variable that says so, for "nothing answers at …" (no credentials). */
export function redisLocation(settings: RedisSettings): string {
  if (settings.redisCluster) return `${list(settings.redisCluster.nodes)} (REDIS_CLUSTER_NODES)`;
  if (settings.redisSentinel) {
    return `the sentinels ${list(settings.redisSentinel.sentinels)} (REDIS_SENTINELS)`;
  }
  return `${redactUrl(settings.redisUrl)} (REDIS_URL)`;
}

/** A Redis URL fit for a log line: its password replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * `INFO <section>` of the server that holds `key`. On one server that is the
 * server; on a cluster, the master of the key's slot (any other node would
 * answer for itself: its run_id says nothing of the key's data).
 */
export async function infoOfServerHolding(client: RedisClient, key: string, section: string): Promise<string> {
  if (!(client instanceof Cluster)) return client.info(section);
  const slot = Number(await client.call('CLUSTER', 'KEYSLOT', key));
  const master = client.slots[slot]?.[0];
  const node = client
    .nodes('master')
    .find((candidate) => `${candidate.options.host}:${candidate.options.port}` === master);
  if (!node) throw new Error(`no known master holds slot ${slot} of the Redis Cluster`);
  return node.info(section);
}
