/**
 * The gateway's SCIM `/Users` against the yardstick of issue 13: `../shared/bench/fastify-pg.mjs` (Fastify, a `pg`
 * pool of 10, prepared statements, tokens in memory, no logging), both loaded by `../shared/bench/scim-load.mjs`
 * (autocannon, 32 connections, 10 s), interleaved (bare, gateway, gateway, bare, bare, gateway), medians of 3.
 *
 *   node bench/run.js bench/scim-yardstick.bench.ts [--no-build] [--rounds=3] [--duration=10] [--users=100000]
 *                                                   [--scenarios=filter,get,create] [--profile] [--gateway-only]
 *                                                   [--subscribed] [--before=<dir>] [--env NAME=value]
 *
 * Builds, creates database gw_bench_<random> (the gateway's, migrated, one tenant of --users users named
 * `user{i}@example.com`) and gw_bench_<random>_bare (the table of `../shared/bench/pg-setup.sh`, as many rows), starts
 * the SCIM app and the worker (its outbox relay) from dist/ with their default settings (logging at info into a
 * pipe, the request log, the per-tenant limits, the statement timeout) except the per-token pace, which one token
 * under load would reach, and the yardstick, as child processes on loopback. Servers, databases and Redis keys are
 * removed at the end, on failure and on Ctrl-C.
 *
 * Besides req/s and latency, each run reports CPU milliseconds per request of the server, of PostgreSQL (the
 * backends of that server's database) and of the worker, PostgreSQL transactions per request, and the server's log
 * bytes per request: on two shared cores these relative figures hold better than absolute throughput.
 *
 * --profile: no yardstick; the SCIM app runs with bench/profile/cpu-profile-preload.js, profiled during each
 * scenario's measured run only, and each profile is summarised into the report: CPU time by function and package
 * (summarize-cpuprofile.js), bytes allocated per request (summarize-heapprofile.js) and the garbage collections.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { BenchDatabase, createBenchDatabase, databaseUrlOn, seedTenant } from './scim-users/bench-database';
import { describeMachine, deleteRedisKeys } from './scim-users/bench-environment';
import { startGateway, startWorker } from './scim-users/bench-servers';
import { cpuSnapshot, waitForQuiet } from './scim-users/cpu-usage';
import { fixed, percent } from './scim-users/users-report';
import { Cleanup, buildForRun, freePort, log, stopChild, superviseRun, writeReport } from './bench-run';
import { Client } from 'pg';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { summarize } = require('./profile/summarize-cpuprofile.js') as {
  summarize: (profile: unknown, top: number, requests: number) => string;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { summarizeAllocations } = require('./profile/summarize-heapprofile.js') as {
  summarizeAllocations: (profile: unknown, top: number, requests: number) => string;
};

const ROOT = join(__dirname, '..');
const YARDSTICK = join(ROOT, '..', 'shared', 'bench');
/** Copies of the yardstick's scripts, inside the repository so that they resolve its node_modules. */
const SCRATCH = join(ROOT, 'bench', 'results', 'yardstick');
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const BARE_TENANT = '11111111-1111-4111-8111-111111111111';
const BARE_TOKEN = 'bench-token';
/** scim-load.mjs resolves this many known users by filter before a filter or get run (they count as requests). */
const SAMPLE = 200;
const WARMUP_SECONDS = 3;
const TIME_LIMIT_MS = 40 * 60_000;

type ScenarioName = 'filter' | 'get' | 'create';
type ServerName = 'bare' | 'gateway' | 'before';

interface Options {
  readonly build: boolean;
  readonly rounds: number;
  readonly duration: number;
  readonly users: number;
  readonly scenarios: readonly ScenarioName[];
  readonly profile: boolean;
  readonly gatewayOnly: boolean;
  readonly worker: boolean;
  readonly subscribed: boolean;
  readonly before: string | undefined;
  readonly env: Readonly<Record<string, string>>;
}

interface Target {
  readonly name: ServerName;
  readonly base: string;
  readonly token: string;
  readonly pid: number;
  readonly database: string;
  readonly workerPid?: number;
  /** Bytes the server wrote to stdout so far (its log). */
  logBytes(): number;
}

interface Run {
  readonly scenario: ScenarioName;
  readonly server: ServerName;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly serverCpuMs: number;
  readonly postgresCpuMs: number;
  readonly workerCpuMs: number;
  readonly transactions: number;
  readonly logBytes: number;
  readonly busyBefore: number;
  readonly others: number;
}

const execFileAsync = promisify(execFile);

/**
 * --subscribed: a product hears of every change through a queue subscription (BullMQ, under the run's Redis
 * prefix, removed at the end; nothing is sent over the network), so every create is fanned out and delivered.
 */
async function subscribeToEverything(db: BenchDatabase): Promise<void> {
  await db.query(
    `INSERT INTO subscriptions (id, name, kind, queue, events) VALUES (gen_random_uuid(), 'bench', 'queue', 'bench-directory', '{*}')`,
  );
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      'no-build': { type: 'boolean', default: false },
      rounds: { type: 'string', default: '3' },
      duration: { type: 'string', default: '10' },
      users: { type: 'string', default: '100000' },
      scenarios: { type: 'string', default: 'filter,get,create' },
      profile: { type: 'boolean', default: false },
      'gateway-only': { type: 'boolean', default: false },
      // Diagnosis only: the create scenario without the relay (what the outbox's consumers cost).
      'no-worker': { type: 'boolean', default: false },
      // A queue subscription to every event of every tenant, so that each create is fanned out too.
      subscribed: { type: 'boolean', default: false },
      // Another build (a directory holding dist/, e.g. `git archive` of an earlier commit, built), measured too.
      before: { type: 'string' },
      // Settings for the gateway under test (not the --before build), e.g. --env SCIM_TOKEN_CONCURRENCY=8.
      env: { type: 'string', multiple: true, default: [] },
    },
  });
  const scenarios = values.scenarios.split(',').map((name) => name.trim());
  for (const name of scenarios) {
    if (!['filter', 'get', 'create'].includes(name)) throw new Error(`unknown scenario ${name}`);
  }
  return {
    build: !values['no-build'],
    rounds: Math.max(1, Number(values.rounds)),
    duration: Number(values.duration),
    users: Number(values.users),
    scenarios: scenarios as ScenarioName[],
    profile: values.profile,
    gatewayOnly: values['gateway-only'] || values.profile,
    worker: !values['no-worker'],
    subscribed: values.subscribed,
    before: values.before,
    env: Object.fromEntries(
      values.env.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
    ),
  };
}

async function main(): Promise<void> {
  const options = parseOptions();
  const cleanup = new Cleanup();
  const standDown = superviseRun(cleanup, TIME_LIMIT_MS);
  try {
    const code = buildForRun(options.build);
    mkdirSync(SCRATCH, { recursive: true });
    for (const file of ['fastify-pg.mjs', 'scim-load.mjs']) copyFileSync(join(YARDSTICK, file), join(SCRATCH, file));

    const db = await createBenchDatabase(POSTGRES_URL);
    cleanup.add(`drop database ${db.name}`, () => db.drop());
    log(`database ${db.name}: seeding ${options.users} users`);
    const tenant = await seedTenant(db, 'bench-acme', options.users, 'example.com');
    if (options.subscribed) await subscribeToEverything(db);
    await db.query('VACUUM ANALYZE');

    const profileDir = join(SCRATCH, `profiles-${new Date().toISOString().slice(0, 16).replace(':', '')}`);
    if (options.profile) mkdirSync(profileDir, { recursive: true });
    const targets: Target[] = [];
    if (options.before) {
      const beforeDb = await createBenchDatabase(POSTGRES_URL);
      cleanup.add(`drop database ${beforeDb.name}`, () => beforeDb.drop());
      log(`database ${beforeDb.name}: seeding ${options.users} users for the build in ${options.before}`);
      const beforeTenant = await seedTenant(beforeDb, 'bench-acme', options.users, 'example.com');
      if (options.subscribed) await subscribeToEverything(beforeDb);
      await beforeDb.query('VACUUM ANALYZE');
      targets.push(await startGatewayTarget('before', beforeDb, beforeTenant.token, options, cleanup, profileDir));
    }
    targets.push(await startGatewayTarget('gateway', db, tenant.token, options, cleanup, profileDir));
    if (!options.gatewayOnly) targets.unshift(await startYardstick(db, options.users, cleanup));
    log(`servers: ${targets.map((target) => `${target.name} ${target.base}`).join(', ')}`);

    const busyBefore = await waitForQuiet(60_000);
    const runs: Run[] = [];
    const profiles: string[] = [];
    for (const scenario of options.scenarios) {
      // A first, unmeasured run of each scenario: JIT, pools and caches warm on both servers.
      for (const target of targets) await load(target, scenario, WARMUP_SECONDS, options.users);
      for (let round = 0; round < options.rounds; round++) {
        const order = round % 2 === 0 ? targets : [...targets].reverse();
        for (const target of order) {
          log(`${scenario} on ${target.name}, round ${round + 1} of ${options.rounds}`);
          if (options.profile) process.kill(target.pid, 'SIGUSR2');
          const run = await measured(target, scenario, options);
          runs.push(run);
          if (options.profile) {
            profiles.push(await collectProfile(target, join(profileDir, target.name), scenario, run, options));
          }
          log(
            `  ${fixed(run.rps, 0)} req/s, p50 ${run.p50} ms, p99 ${run.p99} ms, CPU ms/request ` +
              `${fixed(run.serverCpuMs, 3)} + PostgreSQL ${fixed(run.postgresCpuMs, 3)}, others ${fixed(run.others, 2)} cores`,
          );
        }
      }
    }
    const machine = await describeMachine(db, REDIS_URL, busyBefore);
    writeReport(
      options.profile ? 'scim-profile' : 'scim-yardstick',
      render({ options, code, machine, runs, profiles }),
    );
  } finally {
    standDown();
    await cleanup.run();
  }
}

/** The SCIM app and its worker (the outbox relay) from dist/ (or another build's), on `db`. */
async function startGatewayTarget(
  name: 'gateway' | 'before',
  db: BenchDatabase,
  token: string,
  options: Options,
  cleanup: Cleanup,
  profileDir: string,
): Promise<Target> {
  const root = name === 'before' ? options.before : undefined;
  const redisPrefix = `gw-bench-${randomBytes(3).toString('hex')}`;
  cleanup.add(`delete Redis keys ${redisPrefix}*`, () => deleteRedisKeys(REDIS_URL, `${redisPrefix}*`));
  const worker = options.worker
    ? await startWorker({ databaseUrl: db.url, redisUrl: REDIS_URL, redisPrefix, root })
    : undefined;
  if (worker) cleanup.add(`stop the worker (${name})`, () => worker.stop());
  let logBytes = 0;
  const gateway = await startGateway({
    databaseUrl: db.url,
    redisUrl: REDIS_URL,
    redisPrefix,
    root,
    env: {
      LOG_LEVEL: 'info',
      ...(options.profile ? { CPU_PROFILE_DIR: join(profileDir, name) } : {}),
      ...(name === 'gateway' ? options.env : {}),
    },
    nodeArgs: options.profile ? ['--require', join(ROOT, 'bench/profile/cpu-profile-preload.js')] : [],
    onStdout: (chunk) => (logBytes += chunk.length),
  });
  if (options.profile) mkdirSync(join(profileDir, name), { recursive: true });
  cleanup.add(`stop the gateway (${name})`, () => gateway.stop());
  return {
    name,
    base: `${gateway.url}/scim/v2`,
    token,
    pid: gateway.pid,
    database: db.name,
    workerPid: worker?.pid,
    logBytes: () => logBytes,
  };
}

/** The yardstick on a database of its own, with the table and rows of pg-setup.sh. */
async function startYardstick(db: BenchDatabase, users: number, cleanup: Cleanup): Promise<Target> {
  const name = `${db.name}_bare`;
  const url = databaseUrlOn(POSTGRES_URL, name);
  await withClient(POSTGRES_URL, (admin) => admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`));
  cleanup.add(`drop database ${name}`, () =>
    withClient(POSTGRES_URL, (admin) =>
      admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`),
    ).then(() => undefined),
  );
  log(`database ${name}: the yardstick's table, ${users} users`);
  await withClient(url, async (client) => {
    for (const statement of yardstickTableSql(users)) await client.query(statement);
  });
  const port = await freePort();
  const child = spawn(process.execPath, [join(SCRATCH, 'fastify-pg.mjs')], {
    env: { ...process.env, PORT: String(port), DATABASE_URL: url, BENCH_TOKEN: BARE_TOKEN, TENANT: BARE_TENANT },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  cleanup.add('stop the yardstick', () => stopChild(child, exited));
  // It has no health route: an unauthenticated request answers 401 once it listens.
  await waitForListening(`http://127.0.0.1:${port}/scim/v2/Users`);
  if (child.pid === undefined) throw new Error('the yardstick has no pid');
  return {
    name: 'bare',
    base: `http://127.0.0.1:${port}/scim/v2`,
    token: BARE_TOKEN,
    pid: child.pid,
    database: name,
    logBytes: () => 0,
  };
}

/** pg-setup.sh's table and rows, as SQL (that script needs the Debian cluster and `su postgres`). */
function yardstickTableSql(users: number): string[] {
  const script = readFileSync(join(YARDSTICK, 'pg-setup.sh'), 'utf8');
  const heredoc = /<<SQL\n([\s\S]*?)\nSQL\n/.exec(script)?.[1];
  if (!heredoc) throw new Error('pg-setup.sh: no SQL here-document found');
  // One statement at a time: VACUUM may not run inside the implicit transaction of a multi-statement query.
  return heredoc
    .replaceAll('$TENANT', BARE_TENANT)
    .replaceAll('$ROWS', String(users))
    .split(/;\s*(?:\n|$)/)
    .map((statement) => statement.replace(/--[^\n]*/g, '').trim())
    .filter((statement) => statement !== '');
}

async function waitForListening(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`${url} did not answer within 30 s`);
}

/** One scim-load.mjs run of a scenario, with the CPU and transactions it cost. */
async function measured(target: Target, scenario: ScenarioName, options: Options): Promise<Run> {
  const busyBefore = await waitForQuiet(30_000);
  const transactionsBefore = await transactionsOf(target.database);
  const before = cpuSnapshot(target.pid, target.database);
  const workerBefore = target.workerPid ? cpuSnapshot(target.workerPid, target.database).server : 0;
  const logBefore = target.logBytes();
  const started = Date.now();
  const report = await load(target, scenario, options.duration, options.users);
  const seconds = (Date.now() - started) / 1000;
  const after = cpuSnapshot(target.pid, target.database);
  const workerAfter = target.workerPid ? cpuSnapshot(target.workerPid, target.database).server : 0;
  const transactions = (await transactionsOf(target.database)) - transactionsBefore;
  const result = report.scenarios[scenario]?.runs[0];
  if (!result) throw new Error(`scim-load.mjs reported no ${scenario} run`);
  // Every response the server gave during the invocation: the measured ones and the discovery's.
  const requests = result.total + (scenario === 'create' ? 0 : SAMPLE);
  let postgresSeconds = 0;
  for (const [pid, used] of after.postgres) postgresSeconds += used - (before.postgres.get(pid) ?? 0);
  const busy = (after.machineBusy - before.machineBusy) / ((after.machineTotal - before.machineTotal) / 2);
  const server = after.server - before.server;
  const worker = workerAfter - workerBefore;
  return {
    scenario,
    server: target.name,
    rps: result.rps,
    p50: result.p50,
    p99: result.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    serverCpuMs: (server * 1000) / requests,
    postgresCpuMs: (postgresSeconds * 1000) / requests,
    workerCpuMs: (worker * 1000) / requests,
    transactions: transactions / requests,
    logBytes: (target.logBytes() - logBefore) / requests,
    busyBefore,
    // Cores used by anything but the server, its PostgreSQL backends, its worker and the load driver (~0.15–0.3).
    others: Math.max(0, busy - (server + postgresSeconds + worker) / seconds),
  };
}

interface LoadReport {
  readonly scenarios: Record<
    string,
    { runs: { rps: number; total: number; p50: number; p99: number; non2xx: number; errors: number }[] }
  >;
}

/** Runs the yardstick's load driver once (no warm-up of its own, one run) and reads its JSON report. */
async function load(target: Target, scenario: ScenarioName, duration: number, users: number): Promise<LoadReport> {
  const out = join(SCRATCH, `load-${process.pid}-${randomBytes(3).toString('hex')}.json`);
  try {
    await execFileAsync(
      process.execPath,
      [
        join(SCRATCH, 'scim-load.mjs'),
        `--base=${target.base}`,
        `--token=${target.token}`,
        `--scenarios=${scenario}`,
        '--connections=32',
        `--duration=${duration}`,
        '--warmup=0',
        '--runs=1',
        `--sample=${SAMPLE}`,
        '--users-pattern=user{i}@example.com',
        `--users-count=${users}`,
        `--label=${target.name}`,
        `--out=${out}`,
      ],
      { cwd: SCRATCH, maxBuffer: 1 << 20 },
    );
    return JSON.parse(readFileSync(out, 'utf8')) as LoadReport;
  } finally {
    if (existsSync(out)) rmSync(out);
  }
}

async function collectProfile(
  target: Target,
  directory: string,
  scenario: ScenarioName,
  run: Run,
  options: Options,
): Promise<string> {
  process.kill(target.pid, 'SIGUSR2');
  const deadline = Date.now() + 30_000;
  let file: string | undefined;
  while (!file && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    file = latestProfile(directory);
  }
  if (!file) throw new Error('the server wrote no CPU profile');
  const requests = Math.round(run.rps * options.duration) + (scenario === 'create' ? 0 : SAMPLE);
  const summary = summarize(JSON.parse(readFileSync(file, 'utf8')), 25, requests);
  const kept = join(directory, `${scenario}-${Date.now()}.cpuprofile`);
  renameSync(file, kept);
  // Written before the CPU profile: present whenever it is.
  const allocations = summarizeAllocations(
    JSON.parse(readFileSync(join(directory, 'profile.heapprofile'), 'utf8')),
    15,
    requests,
  );
  const collections = JSON.parse(readFileSync(join(directory, 'profile.gc.json'), 'utf8')) as Record<
    string,
    { count: number; ms: number }
  >;
  const gc = Object.entries(collections)
    .map(
      ([kind, { count, ms }]) =>
        `${kind}: ${count} in ${ms.toFixed(0)} ms (${((1000 * ms) / requests).toFixed(1)} µs per request)`,
    )
    .join('; ');
  return [
    `## CPU profile: ${scenario} on ${target.name}`,
    `Profile: \`${kept}\``,
    summary,
    `## Allocation and garbage collection: ${scenario} on ${target.name}`,
    `Garbage collections during the run: ${gc || 'none'}`,
    allocations,
    '',
  ].join('\n\n');
}

function latestProfile(directory: string): string | undefined {
  const file = join(directory, 'profile.cpuprofile');
  return existsSync(file) ? file : undefined;
}

async function transactionsOf(database: string): Promise<number> {
  return withClient(POSTGRES_URL, async (client) => {
    // Statistics reach pg_stat_database when a backend reports them (within a second in PostgreSQL 15).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const { rows } = await client.query<{ n: string }>(
      'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1',
      [database],
    );
    return Number(rows[0]?.n ?? 0);
  });
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'gateway-bench' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const TARGETS: Record<ScenarioName, { label: string; goal: number }> = {
  filter: { label: '`GET /Users?filter=userName eq "…"`', goal: 0.6 },
  get: { label: '`GET /Users/{id}`', goal: 0.6 },
  create: { label: '`POST /Users` (no password; outbox row, relay running)', goal: 0.35 },
};

function render(report: {
  options: Options;
  code: string;
  machine: string;
  runs: readonly Run[];
  profiles: readonly string[];
}): string {
  const { options, runs } = report;
  const summary = (scenario: ScenarioName, server: ServerName) => {
    const list = runs.filter((run) => run.scenario === scenario && run.server === server);
    if (list.length === 0) return undefined;
    const m = (pick: (run: Run) => number) => median(list.map(pick));
    return {
      rps: m((run) => run.rps),
      p50: m((run) => run.p50),
      p99: m((run) => run.p99),
      serverCpuMs: m((run) => run.serverCpuMs),
      postgresCpuMs: m((run) => run.postgresCpuMs),
      workerCpuMs: m((run) => run.workerCpuMs),
      transactions: m((run) => run.transactions),
      logBytes: m((run) => run.logBytes),
      rounds: list.map((run) => fixed(run.rps, 0)).join(' / '),
      failures: list.reduce((sum, run) => sum + run.non2xx + run.errors, 0),
    };
  };
  const servers: ServerName[] = ['gateway', 'before', 'bare'];
  const rows = options.scenarios.flatMap((scenario) => {
    const bare = summary(scenario, 'bare');
    return servers.flatMap((server) => {
      const s = summary(scenario, server);
      if (!s) return [];
      const ratio =
        bare && server !== 'bare'
          ? `**${percent(s.rps / bare.rps)}** (target ≥ ${percent(TARGETS[scenario].goal)})`
          : '–';
      const cpu = `${fixed(s.serverCpuMs, 3)} / ${fixed(s.postgresCpuMs, 3)}${s.workerCpuMs > 0.0005 ? ` / ${fixed(s.workerCpuMs, 3)}` : ''}`;
      return [
        `| ${TARGETS[scenario].label}${options.subscribed && scenario === 'create' ? ', fanned out to a queue subscription' : ''} | ${SERVER_LABELS[server]} | ${fixed(s.rps, 0)} (${s.rounds}) | ${s.p50} / ${s.p99} | ${ratio} | ` +
          `${cpu} | ${fixed(s.transactions, 2)} | ${fixed(s.logBytes, 0)} | ${s.failures} |`,
      ];
    });
  });
  const flags = process.argv.slice(2).filter((arg) => arg !== '--no-build');
  return [
    `# SCIM /Users against the yardstick (${new Date().toISOString().slice(0, 16)} UTC)`,
    '',
    `Command: \`${['node bench/run.js bench/scim-yardstick.bench.ts', ...flags].join(' ')}\` (code: ${report.code}).`,
    '',
    `Machine: ${report.machine}.`,
    '',
    `Load: \`../shared/bench/scim-load.mjs\`, 32 connections, ${options.duration} s per run, one ${WARMUP_SECONDS} s ` +
      `warm-up run per scenario and server, then ${options.rounds} rounds alternating the servers; medians. ` +
      `${options.users.toLocaleString('en-US')} users on each side. CPU per request counts every response of the run ` +
      `(the driver's ${SAMPLE} look-ups of known users included).`,
    '',
    '| scenario | server | req/s, median (rounds) | p50 / p99 ms | ÷ bare | CPU ms/request: Node / PostgreSQL / worker | transactions/request | log bytes/request | non-2xx + errors |',
    '| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |',
    ...rows,
    '',
    'Runs:',
    '',
    ...runs.map(
      (run) =>
        `- ${run.scenario} ${run.server}: ${fixed(run.rps, 0)} req/s, p50 ${run.p50} / p99 ${run.p99} ms, CPU ms/request ` +
        `${fixed(run.serverCpuMs, 3)} / ${fixed(run.postgresCpuMs, 3)}, machine ${percent(run.busyBefore)} busy before, ` +
        `other processes ${fixed(run.others, 2)} cores during`,
    ),
    '',
    ...report.profiles,
  ].join('\n');
}

const SERVER_LABELS: Record<ServerName, string> = {
  gateway: 'gateway',
  before: 'gateway, `--before` build',
  bare: '`fastify-pg.mjs`',
};

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
