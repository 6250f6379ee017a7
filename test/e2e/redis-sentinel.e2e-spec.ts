import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bullConnection, releaseBullConnection } from '@app/identity/deliveries/bull-connection';
import { RedisClient, createRedisClient, loadConfig, queuePrefixOf } from '@app/platform';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { freePort } from '../support/processes';
import { TestRedisServer, startRedisServer } from '../support/redis-server';
import { redisPrefix } from '../support/test-environment';
import { eventually } from '../support/webhook-receiver';

describe('Redis Sentinel: the apps find the master through the sentinels', () => {
  let master: TestRedisServer;
  let sentinel: ChildProcess;
  let sentinelPort: number;
  let dir: string;
  let direct: Redis;

  beforeAll(async () => {
    master = await startRedisServer();
    direct = new Redis(master.url);
    dir = mkdtempSync(join(tmpdir(), 'gw-sentinel-'));
    sentinelPort = await freePort();
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor gw-main 127.0.0.1 ${master.port} 1`,
        'sentinel down-after-milliseconds gw-main 1000',
      ].join('\n'),
    );
    sentinel = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
    // The sentinel answers once it knows the master.
    const asker = new Redis({ port: sentinelPort, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
    asker.on('error', () => undefined);
    await eventually(async () => {
      if (asker.status === 'wait' || asker.status === 'end') await asker.connect();
      const address = (await asker.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'gw-main')) as string[] | null;
      return address?.[1] === String(master.port);
    }, 10_000);
    asker.disconnect();
  });

  afterAll(async () => {
    direct?.disconnect();
    if (sentinel && sentinel.exitCode === null) {
      const exited = new Promise((resolve) => sentinel.once('exit', resolve));
      sentinel.kill('SIGKILL');
      await exited;
    }
    await master?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const settings = () =>
    loadConfig({
      // Only its database counts here: the sentinels say where the master is.
      REDIS_URL: 'redis://127.0.0.1:1/0',
      REDIS_SENTINELS: `127.0.0.1:${sentinelPort}`,
      REDIS_SENTINEL_NAME: 'gw-main',
      REDIS_PREFIX: `${redisPrefix()}-sentinel`,
    });

  it("the shared client writes to the sentinels' master", async () => {
    const config = settings();
    const client: RedisClient = createRedisClient(config, 'sentinel-test');
    try {
      await eventually(() => client.status === 'ready', 10_000, 'the client ready');
      await client.set(`${config.redisPrefix}:probe`, 'here');
      expect(await direct.get(`${config.redisPrefix}:probe`)).toBe('here');
    } finally {
      await client.quit();
    }
  });

  it("BullMQ's queues live on the sentinels' master, under the plain prefix", async () => {
    const config = settings();
    expect(queuePrefixOf(config)).toBe(config.redisPrefix);
    const connection = bullConnection(config);
    const queue = new Queue('sentinel-probe', { connection, prefix: queuePrefixOf(config) });
    try {
      await queue.add('probe', { ok: true }, { jobId: 'probe-1' });
      expect(await direct.exists(`${config.redisPrefix}:sentinel-probe:probe-1`)).toBe(1);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await releaseBullConnection(connection);
    }
  });
});
