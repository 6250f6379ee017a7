/**
 * One tenant floods the SCIM app with costly searches; how fast does another tenant's simple
 * traffic still answer? Target (docs/PERFORMANCE.md): the quiet tenant's p99 stays under 100 ms.
 *
 *   node bench/run.js bench/scim-noisy-tenant.bench.ts [--no-build] [--duration=15] [--flood=32] [--rate=40]
 *                                                      [--flood-with=searches|lookups] [--before=<dir>]
 *
 * Builds, creates database gw_bench_<random>, seeds by SQL 50,000 users in the noisy tenant and 1,000 in
 * the quiet one, and starts the SCIM app from dist/ as it ships. The quiet tenant sends `GET /Users?count=1`
 * and `GET /Users?filter=userName eq "…"` at `--rate` requests per second over 4 connections: first alone,
 * then while the noisy tenant keeps `--flood` connections busy with searches of 10 `co` conditions on
 * displayName (the most the cost model lets through without an indexed equality: each reads all 50,000
 * users); with `--flood-with=lookups`, with `GET /Users?filter=userName eq "…"` of its own users instead (requests of
 * bounded cost, which may run on the process's spare slots while the quiet tenant has nothing waiting). Then the
 * same with the per-tenant limits lifted; with `--before=<dir>` (a directory holding another build's dist/), that build
 * as shipped too, in the same run (SCIM_TENANT_CONCURRENCY=100,
 * SCIM_TOKEN_CONCURRENCY=100, SCIM_TENANT_QUEUE=10000), to show what they buy. The database, the app and
 * Redis keys are removed at the end, also on failure or Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { BenchTenant, createBenchDatabase, seedTenant, BenchDatabase } from './scim-users/bench-database';
import { describeMachine, deleteRedisKeys } from './scim-users/bench-environment';
import { BenchServer, startGateway } from './scim-users/bench-servers';
import { waitForQuiet } from './scim-users/cpu-usage';
import { Cleanup, benchStarted, buildForRun, log, superviseRun, writeReport } from './bench-run';

const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const NOISY_USERS = 50_000;
const QUIET_USERS = 1_000;
const QUIET_CONNECTIONS = 4;
const TIME_LIMIT_MS = 20 * 60_000;
const TARGET_P99_MS = 100;
const UNLIMITED = { SCIM_TENANT_CONCURRENCY: '100', SCIM_TOKEN_CONCURRENCY: '100', SCIM_TENANT_QUEUE: '10000' };

interface Options {
  readonly build: boolean;
  readonly durationSeconds: number;
  readonly floodConnections: number;
  readonly quietRate: number;
  readonly floodWith: 'searches' | 'lookups';
  readonly before: string | undefined;
}

interface Run {
  readonly label: string;
  readonly quiet: autocannon.Result;
  readonly noisy?: autocannon.Result;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      'no-build': { type: 'boolean', default: false },
      duration: { type: 'string', default: '15' },
      flood: { type: 'string', default: '32' },
      rate: { type: 'string', default: '40' },
      'flood-with': { type: 'string', default: 'searches' },
      before: { type: 'string' },
    },
  });
  if (values['flood-with'] !== 'searches' && values['flood-with'] !== 'lookups') {
    throw new Error('--flood-with is searches or lookups');
  }
  return {
    build: !values['no-build'],
    durationSeconds: Number(values.duration),
    floodConnections: Number(values.flood),
    quietRate: Number(values.rate),
    floodWith: values['flood-with'],
    before: values.before,
  };
}

/** `displayName co "zz0" or …`: ten substring conditions, none of them served by an index. */
const COSTLY_FILTER = Array.from({ length: 10 }, (_, i) => `displayName co "zz${i}"`).join(' or ');

function quietLoad(server: BenchServer, tenant: BenchTenant, options: Options, seconds: number): autocannon.Options {
  let n = 0;
  return {
    url: server.url,
    connections: QUIET_CONNECTIONS,
    overallRate: options.quietRate,
    duration: seconds,
    headers: { authorization: `Bearer ${tenant.token}`, accept: 'application/scim+json' },
    requests: [
      {
        setupRequest: (request) => {
          n += 1;
          const userName = `user${1 + (n % tenant.users)}@acme.example`;
          const path =
            n % 2 === 0
              ? '/scim/v2/Users?count=1'
              : `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`;
          return { ...request, method: 'GET', path };
        },
      },
    ],
  };
}

function floodLoad(server: BenchServer, tenant: BenchTenant, options: Options, seconds: number): autocannon.Options {
  let n = 0;
  return {
    url: server.url,
    connections: options.floodConnections,
    duration: seconds,
    headers: { authorization: `Bearer ${tenant.token}`, accept: 'application/scim+json' },
    requests: [
      options.floodWith === 'searches'
        ? { method: 'GET', path: `/scim/v2/Users?count=5&filter=${encodeURIComponent(COSTLY_FILTER)}` }
        : {
            setupRequest: (request) => {
              n += 1;
              const filter = `userName eq "user${1 + (n % tenant.users)}@acme.example"`;
              return { ...request, method: 'GET', path: `/scim/v2/Users?filter=${encodeURIComponent(filter)}` };
            },
          },
    ],
  };
}

async function measure(
  label: string,
  server: BenchServer,
  noisy: BenchTenant,
  quiet: BenchTenant,
  options: Options,
): Promise<Run[]> {
  await waitForQuiet(60_000);
  await autocannon(quietLoad(server, quiet, options, 2));
  const alone = await autocannon(quietLoad(server, quiet, options, options.durationSeconds));
  log(`${label}, quiet tenant alone: p99 ${alone.latency.p99} ms`);
  await waitForQuiet(60_000);
  // The flood starts first and outlasts the quiet tenant's measurement.
  const flood = autocannon(floodLoad(server, noisy, options, options.durationSeconds + 4));
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const beside = await autocannon(quietLoad(server, quiet, options, options.durationSeconds));
  const noisyResult = await flood;
  log(`${label}, quiet tenant beside the flood: p99 ${beside.latency.p99} ms`);
  return [
    { label: `${label}: quiet tenant alone`, quiet: alone },
    { label: `${label}: quiet tenant while the noisy one floods`, quiet: beside, noisy: noisyResult },
  ];
}

async function withGateway<T>(
  db: BenchDatabase,
  cleanup: Cleanup,
  env: Record<string, string>,
  work: (server: BenchServer) => Promise<T>,
  root?: string,
): Promise<T> {
  const redisPrefix = `gw-bench-${randomBytes(3).toString('hex')}`;
  cleanup.add(`delete Redis keys ${redisPrefix}*`, () => deleteRedisKeys(REDIS_URL, `${redisPrefix}*`));
  const server = await startGateway({ databaseUrl: db.url, redisUrl: REDIS_URL, redisPrefix, env, root });
  try {
    return await work(server);
  } finally {
    await server.stop();
  }
}

function statuses(result: autocannon.Result | undefined): string {
  if (!result) return '';
  return Object.entries(result.statusCodeStats ?? {})
    .map(([status, { count }]) => `${status}×${count ?? 0}`)
    .join(' ');
}

function render(runs: readonly Run[], machine: string, code: string, options: Options): string {
  const rows = runs.map(
    ({ label, quiet, noisy }) =>
      `| ${label} | ${quiet.latency.p50} | ${quiet.latency.p99} | ${quiet.latency.max} | ${statuses(quiet)} | ` +
      `${noisy ? `${(noisy['2xx'] / noisy.duration).toFixed(1)} req/s; ${statuses(noisy)}` : '—'} |`,
  );
  return [
    `# SCIM: one tenant floods, another answers (${new Date().toISOString()})`,
    '',
    `Command: \`node bench/run.js bench/scim-noisy-tenant.bench.ts\` (duration ${options.durationSeconds} s, ` +
      `flood ${options.floodConnections} connections of ${options.floodWith}, quiet tenant ${options.quietRate} req/s over ${QUIET_CONNECTIONS} connections).`,
    `Code: ${code}. Machine: ${machine}.`,
    '',
    `Noisy tenant: ${NOISY_USERS} users, ` +
      (options.floodWith === 'searches'
        ? `searching \`${COSTLY_FILTER}\` (count=5). `
        : 'looking its users up one by one (`GET /Users?filter=userName eq "…"`). ') +
      `Quiet tenant: ${QUIET_USERS} users, ` +
      '`GET /Users?count=1` and `GET /Users?filter=userName eq "…"` alternately. Target: the quiet tenant\'s p99 ' +
      `< ${TARGET_P99_MS} ms while the noisy one floods.`,
    '',
    '| run | quiet p50 ms | quiet p99 ms | quiet max ms | quiet statuses | noisy tenant |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Total time ${Math.round((Date.now() - benchStarted) / 1000)} s.`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const options = parseOptions();
  const cleanup = new Cleanup();
  const standDown = superviseRun(cleanup, TIME_LIMIT_MS);
  try {
    const code = buildForRun(options.build);
    const db = await createBenchDatabase(POSTGRES_URL);
    cleanup.add(`drop database ${db.name}`, () => db.drop());
    log(`database ${db.name}: seeding ${NOISY_USERS} + ${QUIET_USERS} users`);
    const noisy = await seedTenant(db, 'bench-noisy', NOISY_USERS);
    const quiet = await seedTenant(db, 'bench-quiet', QUIET_USERS);
    await db.query('VACUUM ANALYZE');
    const busyBefore = await waitForQuiet(60_000);
    const machine = await describeMachine(db, REDIS_URL, busyBefore);
    const runs = [
      ...(await withGateway(db, cleanup, {}, (server) => measure('as shipped', server, noisy, quiet, options))),
      ...(await withGateway(db, cleanup, UNLIMITED, (server) =>
        measure('per-tenant limits lifted', server, noisy, quiet, options),
      )),
      ...(options.before
        ? await withGateway(
            db,
            cleanup,
            {},
            (server) => measure(`build in ${options.before}, as shipped`, server, noisy, quiet, options),
            options.before,
          )
        : []),
    ];
    const report = render(runs, machine, code, options);
    writeReport('scim-noisy-tenant', report);
  } finally {
    standDown();
    await cleanup.run();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
