import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

const run = promisify(execFile);

/** A Redis Cluster of the test's own on loopback: masters only, no persistence. */
export interface TestRedisCluster {
  readonly ports: readonly number[];
  /** The REDIS_CLUSTER_NODES value that names every master. */
  readonly nodesSetting: string;
  /** A plain client of each master, for looking at what landed where. */
  readonly masters: readonly Redis[];
  /** Every key of every master that matches `pattern`, with the port of the master that holds it. */
  keys(pattern: string): Promise<{ port: number; key: string }[]>;
  close(): Promise<void>;
}

/**
 * Starts `masters` redis-servers with cluster mode on, joins them with
 * `redis-cli --cluster create` (slots split evenly, no replicas) and waits for
 * `cluster_state:ok` on each. Close it in afterAll.
 */
export async function startRedisCluster(masters = 3): Promise<TestRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-redis-cluster-'));
  const ports: number[] = [];
  while (ports.length < masters) {
    const port = await freeClusterPort();
    if (!ports.includes(port)) ports.push(port);
  }
  const servers: ChildProcess[] = ports.map((port) =>
    spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout',
        '5000',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    ),
  );
  const clients = ports.map(
    (port) => new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 }),
  );
  const close = async (): Promise<void> => {
    for (const client of clients) client.disconnect();
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            if (server.exitCode !== null || server.signalCode !== null) return resolve();
            server.once('exit', () => resolve());
            server.kill('SIGKILL');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(clients.map((client) => untilAnswers(client)));
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await Promise.all(clients.map((client) => untilClusterOk(client)));
  } catch (error) {
    await close();
    throw error;
  }
  return {
    ports,
    nodesSetting: ports.map((port) => `127.0.0.1:${port}`).join(','),
    masters: clients,
    async keys(pattern) {
      const found: { port: number; key: string }[] = [];
      for (const [index, client] of clients.entries()) {
        let cursor = '0';
        do {
          const [next, batch] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          found.push(...batch.map((key) => ({ port: ports[index], key })));
          cursor = next;
        } while (cursor !== '0');
      }
      return found;
    },
    close,
  };
}

/** A free port whose cluster bus port (port + 10000) is free too. */
async function freeClusterPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 25_000);
    if ((await isFree(port)) && (await isFree(port + 10_000))) return port;
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

async function untilAnswers(client: Redis, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  client.on('error', () => undefined);
  for (;;) {
    try {
      if (client.status === 'wait' || client.status === 'end') await client.connect();
      if ((await client.ping()) === 'PONG') return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function untilClusterOk(client: Redis, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = String(await client.call('CLUSTER', 'INFO'));
    if (/^cluster_state:ok\s*$/m.test(info)) return;
    if (Date.now() > deadline) throw new Error(`the Redis Cluster did not reach cluster_state:ok:\n${info}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
