import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { ResolvedConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { OutageReporter } from './outage-reporter';

/** Injection token of the app's shared ioredis client. */
export const REDIS = Symbol('REDIS');

/**
 * Opens a Redis client that never stops the app: while Redis is down, commands
 * fail fast (no offline queue) and the client keeps reconnecting in the background.
 */
export function createRedisClient(config: Pick<ResolvedConfig, 'redisUrl'>, name: string): Redis {
  const logger = new Logger(`Redis:${name}`);
  const client = new Redis(config.redisUrl, {
    connectionName: name,
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // A Redis that keeps the socket but stops answering must not hang requests.
    commandTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
  });
  // Reconnection errors repeat every few hundred ms: say once that Redis is away, and once that it is back.
  const outage = new OutageReporter(logger, `Redis (REDIS_URL ${redactUrl(config.redisUrl)})`);
  client.on('error', (error: Error) => outage.failed(error));
  client.on('ready', () => outage.recovered());
  return client;
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

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: ResolvedConfig) => createRedisClient(config, 'gateway'),
    },
    RedisCloser,
  ],
  exports: [REDIS],
})
export class RedisModule {}
