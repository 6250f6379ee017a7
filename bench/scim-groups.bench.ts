/**
 * Membership changes and reads of SCIM `/Groups` at size: 10,000 members added in PATCHes of 100,
 * one-member add/remove latency on a 10-member and on a 50,000-member group (the ratio should stay
 * near 1: a membership is one row), and `GET /Groups/{id}?excludedAttributes=members` of the big group
 * under load. Targets and results: docs/PERFORMANCE.md.
 *
 *   node bench/run.js bench/scim-groups.bench.ts [--no-build] [--duration=10] [--connections=32] [--toggles=200]
 *
 * Reuses the /Users benchmark's pieces (bench/scim-users/): a database gw_bench_<random> on
 * BENCH_POSTGRES_URL's server (default postgres://postgres@127.0.0.1:5432/postgres) seeded with
 * 50,010 users by SQL, the SCIM app from dist/ as a child process on loopback, autocannon for the
 * load. Writes the report to bench/results/ and prints it. The server, the database and the Redis
 * keys are removed even on failure, Ctrl-C or the overall time limit.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { BenchDatabase, BenchTenant, createBenchDatabase, seedTenant } from './scim-users/bench-database';
import { describeMachine, deleteRedisKeys } from './scim-users/bench-environment';
import { BenchServer, startGateway } from './scim-users/bench-servers';
import { QUIET, waitForQuiet } from './scim-users/cpu-usage';
import { LoadResult, LoadSettings, Scenario, measure } from './scim-users/load-run';
import { fixed, percent } from './scim-users/users-report';
import { Cleanup, buildForRun, writeReport, superviseRun, log } from './bench-run';

const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BIG_GROUP = 50_000;
const BUILD_MEMBERS = 10_000;
const BUILD_BATCH = 100;
const SETUP_BATCH = 1_000;
const SMALL_GROUP = 10;
/** Users beyond the big group: the ones toggled in and out. */
const SEEDED_USERS = BIG_GROUP + 10;
const FULL_READS = 5;
const TIME_LIMIT_MS = 15 * 60_000;

interface Options {
  readonly build: boolean;
  readonly toggles: number;
  readonly settings: LoadSettings;
}

/** Latencies of a series of sequential requests, in ms. */
interface Series {
  readonly name: string;
  readonly samples: readonly number[];
  readonly totalMs: number;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      'no-build': { type: 'boolean', default: false },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '32' },
      toggles: { type: 'string', default: '200' },
    },
  });
  return {
    build: !values['no-build'],
    toggles: Number(values.toggles),
    settings: { connections: Number(values.connections), durationSeconds: Number(values.duration), warmupSeconds: 2 },
  };
}

async function main(): Promise<void> {
  const options = parseOptions();
  const cleanup = new Cleanup();
  const standDown = superviseRun(cleanup, TIME_LIMIT_MS);
  try {
    buildForRun(options.build);
    const db = await createBenchDatabase(POSTGRES_URL);
    cleanup.add(`drop database ${db.name}`, () => db.drop());
    log(`database ${db.name}: seeding ${SEEDED_USERS} users`);
    const tenant = await seedTenant(db, 'bench-groups', SEEDED_USERS);
    await db.query('VACUUM ANALYZE');
    const redisPrefix = `gw-bench-${randomBytes(3).toString('hex')}`;
    cleanup.add(`delete Redis keys ${redisPrefix}*`, () => deleteRedisKeys(REDIS_URL, `${redisPrefix}*`));
    const gateway = await startGateway({ databaseUrl: db.url, redisUrl: REDIS_URL, redisPrefix });
    cleanup.add('stop the gateway', () => gateway.stop());
    log(`gateway on ${gateway.url}`);
    const report = await runAll(db, gateway, tenant, options);
    writeReport('scim-groups', report);
  } finally {
    standDown();
    await cleanup.run();
  }
}

async function runAll(db: BenchDatabase, gateway: BenchServer, tenant: BenchTenant, options: Options): Promise<string> {
  // Seeding order: the first BIG_GROUP users form the big group, the rest are toggled in and out.
  const ids = (
    await db.query<{ id: string }>(`SELECT id FROM users WHERE tenant_id = $1 ORDER BY created_at, id`, [tenant.id])
  ).map((row) => row.id);
  const client = new ScimClient(gateway, tenant.token);
  const busyBefore = await waitForQuiet(120_000);
  if (busyBefore > QUIET) log(`warning: the machine is already ${percent(busyBefore)} busy before the runs`);

  log(`building a group of ${BUILD_MEMBERS} members in PATCHes of ${BUILD_BATCH}`);
  const built = await client.createGroup('Built In Batches', []);
  const build = await timeSeries(`PATCH add ${BUILD_BATCH} members`, BUILD_MEMBERS / BUILD_BATCH, (n) =>
    client.addMembers(built, ids.slice(n * BUILD_BATCH, (n + 1) * BUILD_BATCH)),
  );
  await client.expectMemberCount(db, built, BUILD_MEMBERS);

  log(`setting up a group of ${SMALL_GROUP} and one of ${BIG_GROUP} members`);
  const small = await client.createGroup('Small', ids.slice(0, SMALL_GROUP));
  const big = await client.createGroup('Big', []);
  const bigSetup = await timeSeries(`PATCH add ${SETUP_BATCH} members`, BIG_GROUP / SETUP_BATCH, (n) =>
    client.addMembers(big, ids.slice(n * SETUP_BATCH, (n + 1) * SETUP_BATCH)),
  );
  await client.expectMemberCount(db, big, BIG_GROUP);
  await db.query('VACUUM ANALYZE');

  const toggle = async (group: string, name: string): Promise<Series> => {
    const user = ids[BIG_GROUP + 1];
    // A warm-up of 20, then alternate: even requests add the user, odd ones remove it.
    for (let n = 0; n < 20; n += 1) await (n % 2 ? client.removeMember(group, user) : client.addMembers(group, [user]));
    await waitForQuiet(60_000);
    return timeSeries(name, options.toggles, (n) =>
      n % 2 ? client.removeMember(group, user) : client.addMembers(group, [user]),
    );
  };
  log(`one-member add/remove, ${options.toggles} alternating PATCHes per group`);
  const smallToggle = await toggle(small, `add/remove one member, ${SMALL_GROUP}-member group`);
  const bigToggle = await toggle(big, `add/remove one member, ${BIG_GROUP.toLocaleString('en-US')}-member group`);
  await client.expectMemberCount(db, big, BIG_GROUP);

  log(`GET of the ${BIG_GROUP}-member group with all members, ${FULL_READS} times`);
  const fullRead = await timeSeries(
    `GET /Groups/{id} with ${BIG_GROUP.toLocaleString('en-US')} members`,
    FULL_READS,
    () => client.readMembers(big, BIG_GROUP),
  );

  log('GET /Groups/{id}?excludedAttributes=members on the big group under load');
  const path = `/scim/v2/Groups/${big}?excludedAttributes=members`;
  const scenario: Scenario = {
    name: 'GET /Groups/{id}?excludedAttributes=members',
    method: 'GET',
    next: () => ({ path }),
  };
  const load = await measure(gateway, db.name, tenant.token, scenario, options.settings);
  const outbox = await db.query<{ count: string }>('SELECT count(*) AS count FROM outbox_events');

  return render({
    machine: await describeMachine(db, REDIS_URL, busyBefore),
    options,
    build,
    bigSetup,
    smallToggle,
    bigToggle,
    fullRead,
    load,
    outboxEvents: Number(outbox[0]?.count ?? 0),
  });
}

/** A minimal SCIM client over fetch, checking every answer. */
class ScimClient {
  constructor(
    private readonly server: BenchServer,
    private readonly token: string,
  ) {}

  async createGroup(displayName: string, members: readonly string[]): Promise<string> {
    const body = { schemas: [GROUP_SCHEMA], displayName, members: members.map((value) => ({ value })) };
    const created = await this.send<{ id: string }>('POST', '/scim/v2/Groups?excludedAttributes=members', body, 201);
    if (!created?.id) throw new Error('POST /Groups answered no id');
    return created.id;
  }

  async addMembers(groupId: string, userIds: readonly string[]): Promise<void> {
    const operation = { op: 'add', path: 'members', value: userIds.map((value) => ({ value })) };
    await this.send('PATCH', `/scim/v2/Groups/${groupId}`, { schemas: [PATCH_SCHEMA], Operations: [operation] }, 204);
  }

  async removeMember(groupId: string, userId: string): Promise<void> {
    const operation = { op: 'remove', path: `members[value eq "${userId}"]` };
    await this.send('PATCH', `/scim/v2/Groups/${groupId}`, { schemas: [PATCH_SCHEMA], Operations: [operation] }, 204);
  }

  async readMembers(groupId: string, expected: number): Promise<void> {
    const group = await this.send<{ members?: unknown[] }>('GET', `/scim/v2/Groups/${groupId}`, undefined, 200);
    if (group?.members?.length !== expected) {
      throw new Error(`the group should show ${expected} members, showed ${group?.members?.length ?? 0}`);
    }
  }

  async expectMemberCount(db: BenchDatabase, groupId: string, expected: number): Promise<void> {
    const [row] = await db.query<{ count: string }>('SELECT count(*) AS count FROM group_members WHERE group_id = $1', [
      groupId,
    ]);
    if (Number(row?.count) !== expected)
      throw new Error(`group ${groupId}: ${row?.count} members, expected ${expected}`);
  }

  private async send<T>(method: string, path: string, body: unknown, status: number): Promise<T | undefined> {
    const response = await fetch(`${this.server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        accept: 'application/scim+json',
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status !== status) {
      throw new Error(`${method} ${path} answered ${response.status} (expected ${status}): ${text.slice(0, 500)}`);
    }
    return text === '' ? undefined : (JSON.parse(text) as T);
  }
}

/** Runs `count` requests one after another and times each. */
async function timeSeries(name: string, count: number, request: (n: number) => Promise<void>): Promise<Series> {
  const samples: number[] = [];
  const begun = performance.now();
  for (let n = 0; n < count; n += 1) {
    const start = performance.now();
    await request(n);
    samples.push(performance.now() - start);
  }
  return { name, samples, totalMs: performance.now() - begun };
}

function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

interface Results {
  readonly machine: string;
  readonly options: Options;
  readonly build: Series;
  readonly bigSetup: Series;
  readonly smallToggle: Series;
  readonly bigToggle: Series;
  readonly fullRead: Series;
  readonly load: LoadResult;
  readonly outboxEvents: number;
}

function render(r: Results): string {
  const row = (s: Series) =>
    `| ${s.name} | ${s.samples.length} | ${fixed(s.totalMs / 1000, 2)} s | ${fixed(quantile(s.samples, 0.5), 1)} | ` +
    `${fixed(quantile(s.samples, 0.99), 1)} | ${fixed(Math.max(...s.samples), 1)} |`;
  const p50Ratio = quantile(r.bigToggle.samples, 0.5) / quantile(r.smallToggle.samples, 0.5);
  const p99Ratio = quantile(r.bigToggle.samples, 0.99) / quantile(r.smallToggle.samples, 0.99);
  const flags = process.argv.slice(2).filter((arg) => arg !== '--no-build');
  const load = r.load;
  return [
    `## SCIM \`/Groups\` membership changes at size (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Command: \`${['node bench/run.js bench/scim-groups.bench.ts', ...flags].join(' ')}\``,
    '',
    `Machine: ${r.machine}.`,
    '',
    `Data: ${SEEDED_USERS.toLocaleString('en-US')} users seeded by SQL in one tenant; groups built through the API. ` +
      'Sequential requests come one at a time from one client over loopback; PATCHes answer 204.',
    '',
    '| sequential requests | n | total | p50 ms | p99 ms | max ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    row(r.build),
    row(r.bigSetup),
    row(r.smallToggle),
    row(r.bigToggle),
    row(r.fullRead),
    '',
    `One-member add/remove, ${BIG_GROUP.toLocaleString('en-US')}-member group vs ${SMALL_GROUP}-member group: ` +
      `p50 ${fixed(p50Ratio, 2)}×, p99 ${fixed(p99Ratio, 2)}×.`,
    '',
    `Under load (autocannon, ${r.options.settings.connections} connections, ${r.options.settings.durationSeconds} s after a ` +
      `${r.options.settings.warmupSeconds} s warm-up):`,
    '',
    '| scenario | req/s (2xx) | p50 ms | p99 ms | server CPU (cores) | PostgreSQL CPU (cores) | machine CPU busy | notes |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    `| ${load.scenario} on the ${BIG_GROUP.toLocaleString('en-US')}-member group | ${fixed(load.requestsPerSecond, 0)} | ` +
      `${fixed(load.p50Ms, 1)} | ${fixed(load.p99Ms, 1)} | ${fixed(load.cpu.server, 2)} | ${fixed(load.cpu.postgres, 2)} | ${percent(load.cpu.machineBusy)} | ` +
      `${load.non2xx + load.errors > 0 ? `${load.non2xx} non-2xx, ${load.errors} errors (${load.statusCodes})` : '–'} |`,
    '',
    `The outbox held ${r.outboxEvents.toLocaleString('en-US')} events at the end (one per membership change).`,
    '',
  ].join('\n');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
