import type { RedisOptions } from 'bullmq';

/**
 * ioredis options for BullMQ from REDIS_URL. BullMQ needs `maxRetriesPerRequest:
 * null` so its blocking commands wait out a Redis restart, and we reconnect
 * every ≤ 2 s (BullMQ's default grows to 20 s) so queued events move soon after Redis is back.
 */
export function bullConnection(redisUrl: string): RedisOptions {
  const url = new URL(redisUrl);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? 6379 : Number(url.port),
    ...(url.username !== '' ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password !== '' ? { password: decodeURIComponent(url.password) } : {}),
    db: Number.isInteger(db) ? db : 0,
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000),
  };
}
