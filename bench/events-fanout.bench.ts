/**
 * Event fan-out: 10,000 SCIM-like changes (outbox appends, one transaction each) at a steady
 * 500 changes/s, fanned out to 10 webhook subscribers on loopback receivers. Reports deliveries/s and
 * commit-to-delivery latency (p50/p99), beside a bare BullMQ producer/worker doing the same fan-out
 * (no PostgreSQL, no signatures) in the same run. Targets: ≥ 2,000 deliveries/s, p99 < 250 ms.
 *
 *   node bench/run.js bench/events-fanout.bench.ts [--no-build] [--changes=10000] [--rate=500] [--subscribers=10]
 *                                                  [--warmup=<changes; two seconds' worth by default>]
 *
 * Builds (`npm run build`), creates database gw_bench_<random> on BENCH_POSTGRES_URL's server, runs the
 * worker from dist/ and the bare worker as child processes, and removes database, Redis keys and
 * processes at the end, on failure, on Ctrl-C and at the overall time limit. Loopback only.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { cpus, release, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { deleteRedisKeys } from './scim-users/bench-environment';
import { dataSourceOptions, migrate } from '@app/identity/database/data-source';
import { bullConnection } from '@app/identity/deliveries/bull-connection';
import { OutboxService } from '@app/identity/events/outbox.service';
import { SecretBox } from '@app/identity/secrets/secret-box';
import { generateWebhookSecret } from '@app/identity/subscriptions/webhook-secret';
import { LoopbackReceivers, startReceivers } from './events-fanout/loopback-receivers';
import { freePort } from './bench-run';

const ROOT = join(__dirname, '..');
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TIME_LIMIT_MS = 12 * 60_000;
const DRAIN_LIMIT_MS = 300_000;
const MAX_IN_FLIGHT = 64;

interface RunResult {
  readonly name: string;
  readonly expected: number;
  readonly delivered: number;
  readonly produceSeconds: number;
  readonly deliveriesPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Longest event-loop delay of this (the producing) process during the measured run. */
  readonly benchLoopDelayMaxMs: number;
  /** Per second of commit time from the first commit: deliveries and their p99 / max ms (where the tail was). */
  readonly timeline: readonly {
    readonly second: number;
    readonly count: number;
    readonly p99: number;
    readonly max: number;
  }[];
}

const cleanups: (() => Promise<void>)[] = [];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      build: { type: 'boolean', default: true },
      'no-build': { type: 'boolean', default: false },
      changes: { type: 'string', default: '10000' },
      rate: { type: 'string', default: '500' },
      subscribers: { type: 'string', default: '10' },
      // Changes produced and delivered before the measured ones; by default two seconds' worth.
      warmup: { type: 'string' },
    },
  });
  const changes = Number(values.changes);
  const rate = Number(values.rate);
  const subscribers = Number(values.subscribers);
  const warmup = values.warmup === undefined ? 2 * rate : Number(values.warmup);
  if (!values['no-build']) execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });

  const prefix = `gwbench-${randomBytes(4).toString('hex')}`;
  const db = await createDatabase();
  cleanups.push(() => dropDatabase(db.name));
  cleanups.push(() => deleteRedisKeys(REDIS_URL, `${prefix}:*`));
  const receivers = await startReceivers(subscribers);
  cleanups.push(() => receivers.close());

  const secretsKey = randomBytes(32);
  const dataSource = await new DataSource({
    ...dataSourceOptions(db.url, 'gateway-bench-producer'),
    extra: { max: 40 },
  }).initialize();
  cleanups.push(() => dataSource.destroy());
  const tenant = await seed(dataSource, receivers.urls, secretsKey);

  const gatewayResult = await runGateway({
    db,
    dataSource,
    tenant,
    prefix,
    secretsKey,
    receivers,
    changes,
    rate,
    subscribers,
    warmup,
  });
  await receivers.reset();
  const bareResult = await runBare({ prefix, receivers, changes, rate, subscribers, warmup });
  process.stdout.write(report([gatewayResult, bareResult], { changes, rate, subscribers, warmup }));
}

async function runGateway(options: {
  db: { url: string };
  dataSource: DataSource;
  tenant: { id: string; slug: string };
  prefix: string;
  secretsKey: Buffer;
  receivers: LoopbackReceivers;
  changes: number;
  rate: number;
  subscribers: number;
  warmup: number;
}): Promise<RunResult> {
  const port = await freePort();
  const worker = spawnChild(process.execPath, [join(ROOT, 'dist/apps/worker/src/main.js')], {
    DATABASE_URL: options.db.url,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'gw-bench-')),
    REDIS_URL,
    REDIS_PREFIX: options.prefix,
    SECRETS_KEY: options.secretsKey.toString('hex'),
    ADMIN_TOKEN: `gwa_bench_${randomBytes(24).toString('base64url')}`,
    WORKER_PORT: String(port),
    // The benchmark's receivers listen on loopback.
    ALLOW_PRIVATE_NETWORKS: 'true',
    LOG_LEVEL: 'warn',
  });
  await waitFor200(`http://127.0.0.1:${port}/health/live`, 30_000);
  const outbox = new OutboxService();
  try {
    return await measure('gateway (outbox → relay → fan-out → signed webhook, delivery log)', options, async (i) => {
      const event = await options.dataSource.transaction((em) =>
        outbox.append(em, {
          type: i % 3 === 0 ? 'user.created' : 'user.updated',
          tenant: options.tenant,
          subject: { type: 'user', id: `user-${i}` },
          data: {
            id: `user-${i}`,
            userName: `user${i}@bench.test`,
            active: true,
            name: { givenName: 'Bench', familyName: String(i) },
          },
        }),
      );
      return event.id;
    });
  } finally {
    await stopChild(worker);
  }
}

async function runBare(options: {
  prefix: string;
  receivers: LoopbackReceivers;
  changes: number;
  rate: number;
  subscribers: number;
  warmup: number;
}): Promise<RunResult> {
  const worker = spawnChild(
    process.execPath,
    [
      join(ROOT, 'bench/run.js'),
      join(ROOT, 'bench/events-fanout/bare-fanout.worker.ts'),
      REDIS_URL,
      options.prefix,
      ...options.receivers.urls,
    ],
    {},
  );
  await waitForLine(worker, 'ready', 30_000);
  const queue = new Queue('bare-fan-out', { connection: bullConnection(REDIS_URL), prefix: options.prefix });
  try {
    return await measure('bare BullMQ (producer → fan-out job → webhook job, no PostgreSQL)', options, async (i) => {
      const id = randomUUID();
      const body = JSON.stringify({
        id,
        type: 'user.updated',
        subject: { type: 'user', id: `user-${i}` },
        data: { id: `user-${i}` },
      });
      await queue.add('fan-out', { id, body }, { jobId: id, removeOnComplete: true });
      return id;
    });
  } finally {
    await queue.close();
    await stopChild(worker);
  }
}

/**
 * Warms the path up with `warmup` changes at the same rate (their deliveries awaited, then forgotten), then
 * produces `changes` changes at `rate`/s (each resolving to its id once committed) and waits for every delivery.
 * Without the warm-up the first second's cold start (JIT, pools, keep-alive connections, prepared statements)
 * is the p99 of a short run on either side, whatever the steady rate can carry.
 */
async function measure(
  name: string,
  options: { receivers: LoopbackReceivers; changes: number; rate: number; subscribers: number; warmup: number },
  produce: (index: number) => Promise<string>,
): Promise<RunResult> {
  if (options.warmup > 0) {
    await produceAtRate(options.warmup, options.rate, (i) => produce(options.changes + i));
    await untilDelivered(options.receivers, options.warmup * options.subscribers);
    await options.receivers.reset();
  }
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const start = performance.now();
  const committed = await produceAtRate(options.changes, options.rate, produce);
  const produceSeconds = (performance.now() - start) / 1000;
  const expected = options.changes * options.subscribers;
  await untilDelivered(options.receivers, expected);
  loopDelay.disable();

  const latencies: number[] = [];
  const bySecond = new Map<number, number[]>();
  const firstCommit = Math.min(...committed.values());
  let last = 0;
  for (const [id, arrivals] of await options.receivers.arrivals()) {
    const commit = committed.get(id);
    if (commit === undefined) continue;
    const second = Math.floor((commit - firstCommit) / 1000);
    const ofSecond = bySecond.get(second) ?? [];
    bySecond.set(second, ofSecond);
    for (const arrival of arrivals.slice(0, options.subscribers)) {
      latencies.push(arrival - commit);
      ofSecond.push(arrival - commit);
      last = Math.max(last, arrival);
    }
  }
  latencies.sort((a, b) => a - b);
  const timeline = [...bySecond.entries()]
    .sort(([a], [b]) => a - b)
    .map(([second, values]) => {
      values.sort((a, b) => a - b);
      return { second, count: values.length, p99: quantile(values, 0.99), max: values[values.length - 1] ?? NaN };
    });
  return {
    name,
    expected,
    delivered: latencies.length,
    produceSeconds,
    deliveriesPerSecond: latencies.length / ((last - firstCommit) / 1000),
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    max: latencies[latencies.length - 1] ?? NaN,
    timeline,
    // Arrivals are stamped in the receivers' own process; a long pause here delays commit stamps only.
    benchLoopDelayMaxMs: loopDelay.max / 1e6,
  };
}

/** Produces `count` changes at `rate`/s, at most MAX_IN_FLIGHT at once; resolves to each id's commit time. */
async function produceAtRate(
  count: number,
  rate: number,
  produce: (index: number) => Promise<string>,
): Promise<Map<string, number>> {
  const committed = new Map<string, number>();
  const start = performance.now();
  let started = 0;
  let inFlight = 0;
  await new Promise<void>((resolve, reject) => {
    const tick = (): void => {
      const due = Math.min(count, Math.floor(((performance.now() - start) / 1000) * rate));
      while (started < due && inFlight < MAX_IN_FLIGHT) {
        const index = started++;
        inFlight++;
        produce(index)
          .then((id) => {
            committed.set(id, performance.timeOrigin + performance.now());
            inFlight--;
            if (committed.size === count) resolve();
          })
          .catch(reject);
      }
      if (started < count) setTimeout(tick, 5);
    };
    tick();
  });
  return committed;
}

async function untilDelivered(receivers: LoopbackReceivers, expected: number): Promise<void> {
  const deadline = Date.now() + DRAIN_LIMIT_MS;
  while ((await receivers.count()) < expected && Date.now() < deadline) await sleep(100);
}

function report(
  results: RunResult[],
  settings: { changes: number; rate: number; subscribers: number; warmup: number },
): string {
  const cpu = cpus();
  const lines = [
    `Command: \`node bench/run.js bench/events-fanout.bench.ts\` (${settings.changes} changes at ${settings.rate}/s, ${settings.subscribers} subscribers, after ${settings.warmup} changes of warm-up at the same rate)`,
    `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Linux ${release()}, Node.js ${process.version}; ${new Date().toISOString().slice(0, 10)}`,
    '',
    '| run | delivered | deliveries/s | p50 commit→delivery | p99 | max | producing took |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.delivered} / ${r.expected} | ${Math.round(r.deliveriesPerSecond)} | ${r.p50.toFixed(0)} ms | ${r.p99.toFixed(0)} ms | ${r.max.toFixed(0)} ms | ${r.produceSeconds.toFixed(1)} s |`,
    ),
    '',
    'Per second of commit time (deliveries, p99 / max ms): where the tail was.',
    '',
    ...results.map(
      (r) =>
        `- ${r.name} (the producer's longest event-loop delay: ${r.benchLoopDelayMaxMs.toFixed(0)} ms): ${r.timeline.map((s) => `${s.second}s ${s.count} ${s.p99.toFixed(0)}/${s.max.toFixed(0)}`).join(' · ')}`,
    ),
    '',
  ];
  return `${lines.join('\n')}\n`;
}

// ---- fixtures --------------------------------------------------------------

async function seed(dataSource: DataSource, urls: string[], key: Buffer): Promise<{ id: string; slug: string }> {
  const [tenant] = await dataSource.query<{ id: string }[]>(
    `INSERT INTO tenants (slug, name) VALUES ('bench', 'Bench') RETURNING id`,
  );
  const box = new SecretBox(key);
  for (const [i, url] of urls.entries()) {
    const id = randomUUID();
    await dataSource.query(
      `INSERT INTO subscriptions (id, name, kind, url, secret_sealed, events, tenant_id) VALUES ($1, $2, 'webhook', $3, $4, $5, $6)`,
      [id, `receiver ${i}`, url, box.seal(generateWebhookSecret(), id), ['user.*'], tenant.id],
    );
  }
  return { id: tenant.id, slug: 'bench' };
}

async function createDatabase(): Promise<{ name: string; url: string }> {
  const name = `gw_bench_${randomBytes(4).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`));
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  const dataSource = await new DataSource(dataSourceOptions(url.toString(), 'gateway-bench-migrate')).initialize();
  await migrate(dataSource).finally(() => dataSource.destroy());
  return { name, url: url.toString() };
}

async function dropDatabase(name: string): Promise<void> {
  await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`));
}

async function withAdmin(work: (admin: Client) => Promise<unknown>): Promise<void> {
  const admin = new Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    await work(admin);
  } finally {
    await admin.end();
  }
}

// ---- processes -------------------------------------------------------------

function spawnChild(command: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.push(() => stopChild(child));
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function waitForLine(child: ChildProcess, line: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${line}" within ${timeoutMs} ms`)), timeoutMs);
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(line)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

async function waitFor200(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).status === 200) return;
    } catch {
      // not up yet
    }
    await sleep(200);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
}

if (require.main === module) {
  const limit = setTimeout(() => {
    process.stderr.write(`events-fanout bench: over the ${TIME_LIMIT_MS / 60_000} min limit, stopping\n`);
    void cleanUp().finally(() => process.exit(1));
  }, TIME_LIMIT_MS);
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  main()
    .then(cleanUp)
    .then(() => clearTimeout(limit))
    .catch(async (error: unknown) => {
      process.stderr.write(
        `events-fanout bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      await cleanUp();
      process.exit(1);
    });
}
