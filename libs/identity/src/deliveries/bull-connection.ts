import { RedisSettings, openRedis, singleServerOptions } from '@app/platform/redis/redis-topology';
import type { ConnectionOptions, RedisOptions } from 'bullmq';
import { Cluster } from 'ioredis';

/** Reconnect every ≤ 2 s (BullMQ's default grows to 20 s), so queued events move soon after Redis is back. */
const retryMs = (attempt: number) => Math.min(attempt * 200, 2000);

/**
 * The connection of one BullMQ queue or worker. BullMQ needs `maxRetriesPerRequest:
 * null` so its blocking commands wait out a Redis restart.
 *
 * On one server (REDIS_URL, or the master REDIS_SENTINELS name) these are options:
 * BullMQ opens and closes its own clients. On a Redis Cluster BullMQ takes only a
 * client, so this opens a Cluster that the caller closes after the queue or worker
 * (releaseBullConnection); the queues' prefix must then be a hash tag (queuePrefixOf).
 */
export function bullConnection(target: string | RedisSettings): ConnectionOptions {
  const settings: RedisSettings = typeof target === 'string' ? { redisUrl: target } : target;
  const options = { maxRetriesPerRequest: null, retryStrategy: retryMs };
  if (settings.redisCluster) return openRedis(settings, options, { retryMs });
  const server: RedisOptions = { ...singleServerOptions(settings, options), retryStrategy: retryMs };
  return server;
}

/** Closes what bullConnection opened (a Cluster's client); options need nothing. Call after closing the queue or worker. */
export async function releaseBullConnection(connection: ConnectionOptions): Promise<void> {
  if (connection instanceof Cluster) await connection.quit().catch(() => connection.disconnect());
}
