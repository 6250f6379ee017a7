import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCIM_NODE_ARGS } from '@app/platform/runtime/node-args';
import { freePort } from '../bench-run';
import { stopChild, waitUntilReady } from '../bench-run';

const ROOT = join(__dirname, '..', '..');

/** A server under load, in a process of its own so the load generator does not share its event loop. */
export interface BenchServer {
  readonly name: 'gateway' | 'bare';
  /** Base URL on loopback, without a trailing slash. */
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export interface GatewayOptions {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly redisPrefix: string;
  /** More settings, e.g. SCIM_TENANT_CONCURRENCY for a comparison. */
  readonly env?: Readonly<Record<string, string>>;
  /** Node.js options before the entry point, e.g. `--require` of the CPU profiler preload. */
  readonly nodeArgs?: readonly string[];
  /** Another build of the gateway to start (a directory holding dist/), e.g. the code before a change. */
  readonly root?: string;
  /** Receives the server's standard output (its log lines); without it, the output is discarded. */
  readonly onStdout?: (chunk: Buffer) => void;
}

/** The SCIM app exactly as `npm run start:scim` runs it (from dist/), with logging off. */
export async function startGateway(options: GatewayOptions): Promise<BenchServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-bench-'));
  const env = {
    ...withoutGatewayVariables(process.env),
    DATABASE_URL: options.databaseUrl,
    DATA_DIR: dataDir,
    REDIS_URL: options.redisUrl,
    REDIS_PREFIX: options.redisPrefix,
    SCIM_PORT: String(port),
    SCIM_PUBLIC_URL: `http://127.0.0.1:${port}`,
    ADMIN_TOKEN: `gwa_bench_${randomBytes(24).toString('base64url')}`,
    SECRETS_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
    // Throughput is measured here, not the per-token rate limit (which a benchmark's one token would reach).
    RATE_LIMIT_SCIM_PER_SECOND: '100000',
    ...options.env,
  };
  const server = await spawnServer(
    'gateway',
    // The flags the SCIM app runs with in production, for this build and a --before one alike.
    [...SCIM_NODE_ARGS, ...(options.nodeArgs ?? []), join(options.root ?? ROOT, 'dist/apps/scim/src/main.js')],
    env,
    port,
    '/health/live',
    options.onStdout,
  );
  return { ...server, stop: () => server.stop().finally(() => rmSync(dataDir, { recursive: true, force: true })) };
}

/** The bare Fastify + pg server (`bare-users.server.ts`), the floor the gateway is compared with. */
export async function startBareServer(databaseUrl: string): Promise<BenchServer> {
  const port = await freePort();
  const env = { ...process.env, BARE_DATABASE_URL: databaseUrl, BARE_PORT: String(port) };
  const args = [join(ROOT, 'bench/run.js'), join(ROOT, 'bench/scim-users/bare-users.server.ts')];
  return spawnServer('bare', args, env, port, '/health');
}

async function spawnServer(
  name: BenchServer['name'],
  args: string[],
  env: NodeJS.ProcessEnv,
  port: number,
  readyPath: string,
  onStdout?: (chunk: Buffer) => void,
): Promise<BenchServer> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', onStdout ? 'pipe' : 'ignore', 'pipe'] });
  if (onStdout) child.stdout?.on('data', onStdout);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = () => stopChild(child, exited);
  try {
    await waitUntilReady(`${url}${readyPath}`, child);
  } catch (error) {
    await stop();
    throw new Error(`${name} server did not start: ${(error as Error).message}\n${stderr}`);
  }
  if (child.pid === undefined) throw new Error(`${name} server has no pid`);
  return { name, url, pid: child.pid, stop };
}

/** The worker from dist/ (`npm run start:worker`): its outbox relay publishes what the SCIM app commits. */
export async function startWorker(options: GatewayOptions): Promise<{ readonly pid: number; stop(): Promise<void> }> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-bench-'));
  const env = {
    ...withoutGatewayVariables(process.env),
    DATABASE_URL: options.databaseUrl,
    DATA_DIR: dataDir,
    REDIS_URL: options.redisUrl,
    REDIS_PREFIX: options.redisPrefix,
    WORKER_PORT: String(port),
    ADMIN_TOKEN: `gwa_bench_${randomBytes(24).toString('base64url')}`,
    SECRETS_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  const child = spawn(process.execPath, [join(options.root ?? ROOT, 'dist/apps/worker/src/main.js')], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = () => stopChild(child, exited).finally(() => rmSync(dataDir, { recursive: true, force: true }));
  try {
    await waitUntilReady(`http://127.0.0.1:${port}/health/live`, child);
  } catch (error) {
    await stop();
    throw new Error(`worker did not start: ${(error as Error).message}`);
  }
  if (child.pid === undefined) throw new Error('worker has no pid');
  return { pid: child.pid, stop };
}

function withoutGatewayVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const name of ['DATABASE_URL', 'DATA_DIR', 'REDIS_URL', 'ADMIN_TOKEN', 'SECRETS_KEY', 'PUBLIC_URL'])
    delete copy[name];
  return copy;
}
