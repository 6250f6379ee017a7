import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { Redis } from 'ioredis';
import type { BenchDatabase } from './bench-database';
import { percent } from './users-report';

/** One line naming the machine and the versions a benchmark ran on, for its report. */
export async function describeMachine(db: BenchDatabase, redisUrl: string, busyBefore: number): Promise<string> {
  const [postgres] = await db.query<{ server_version: string }>('SHOW server_version');
  const redis = new Redis(redisUrl, { lazyConnect: true });
  const redisVersion = await redis
    .connect()
    .then(() => redis.info('server'))
    .then((info) => /redis_version:(\S+)/.exec(info)?.[1] ?? '?')
    .catch(() => '?')
    .finally(() => redis.disconnect());
  const processors = cpus();
  return (
    `${processors.length} × ${processors[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ` +
    `${osName()} (Linux ${release()}), Node.js ${process.version}, PostgreSQL ${postgres?.server_version ?? '?'}, ` +
    `Redis ${redisVersion}, all on the one machine (${percent(busyBefore)} CPU busy just before the runs)`
  );
}

/** Deletes every Redis key matching `pattern` (a benchmark's own prefix), in batches. */
export async function deleteRedisKeys(redisUrl: string, pattern: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

function osName(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}
