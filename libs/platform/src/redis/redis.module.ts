import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ResolvedConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { OutageReporter } from './outage-reporter';
import { RedisClient, RedisSettings, describeRedis, openRedis } from './redis-topology';

export { redactUrl } from './redis-topology';

/** Injection token of the app's shared ioredis client (a RedisClient: one server, or a Cluster). */
export const REDIS = Symbol('REDIS');

/**
 * Opens a Redis client that never stops the app: while Redis is down, commands
 * fail fast (no offline queue) and the client keeps reconnecting in the background.
 */
export function createRedisClient(config: RedisSettings, name: string): RedisClient {
  const logger = new Logger(`Redis:${name}`);
  const retryMs = (attempt: number) => Math.min(attempt * 200, 5000);
  const client = openRedis(
    config,
    {
      connectionName: name,
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      // A Redis that keeps the socket but stops answering must not hang requests.
      commandTimeout: 2000,
      retryStrategy: retryMs,
    },
    { retryMs },
  );
  // Reconnection errors repeat every few hundred ms: say once that Redis is away, and once that it is back.
  const outage = new OutageReporter(logger, describeRedis(config));
  client.on('error', (error: Error) => outage.failed(error));
  client.on('ready', () => outage.recovered());
  return client;
}

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  async onApplicationShutdown(): Promise<void> {
    // QUIT waits for Redis's answer: with Redis away it would hold the shutdown until the launcher's kill.
    if (this.redis.status !== 'ready') {
      this.redis.disconnect();
      return;
    }
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
