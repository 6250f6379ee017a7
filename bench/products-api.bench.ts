/**
 * Products API: a 100,000-event feed read in pages of 1,000, a 100,000-user directory export in pages of
 * 500 (total time and last-page ÷ first-page time: targets export < 20 s, ratio ≤ 2), the long-poll
 * wake-up after a commit (p99, target < 100 ms on an idle machine: commit → relay stamps → NOTIFY → the
 * waiting request answers), and events/s served to 10 concurrent followers reading the whole feed.
 *
 *   node bench/run.js bench/products-api.bench.ts [--no-build] [--events=100000] [--users=100000] [--wakeups=100]
 *
 * Builds (`npm run build`), creates database gw_bench_<random> on BENCH_POSTGRES_URL's server, seeds it with
 * SQL, runs the OIDC app and the worker from dist/ as child processes, and removes database, Redis keys and
 * processes at the end, on failure, on Ctrl-C and at the time limit. Loopback only.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { cpus, release, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, migrate } from '@app/identity/database/data-source';
import { FeedStamper } from '@app/identity/events-feed/feed-stamper';
import { OutboxService } from '@app/identity/events/outbox.service';
import { Cleanup, buildForRun, freePort, log, stopChild, superviseRun, waitUntilReady, writeReport } from './bench-run';
import { deleteRedisKeys } from './scim-users/bench-environment';

const ROOT = join(__dirname, '..');
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TIME_LIMIT_MS = 20 * 60_000;
const FOLLOWERS = 10;

/** A page of the feed or the directory, as far as the benchmark reads it. */
interface ApiPage {
  readonly data: unknown[];
  readonly nextCursor: string | null;
  readonly hasMore?: boolean;
  readonly eventsCursor?: string;
}

interface PagedRun {
  readonly items: number;
  readonly pages: number;
  readonly totalMs: number;
  readonly firstMs: number;
  readonly lastMs: number;
  readonly medianMs: number;
}

async function main(cleanup: Cleanup): Promise<void> {
  const { values } = parseArgs({
    options: {
      'no-build': { type: 'boolean', default: false },
      events: { type: 'string', default: '100000' },
      users: { type: 'string', default: '100000' },
      wakeups: { type: 'string', default: '100' },
    },
  });
  const settings = { events: Number(values.events), users: Number(values.users), wakeups: Number(values.wakeups) };
  const code = buildForRun(!values['no-build']);

  const db = await createDatabase();
  cleanup.add('drop the database', () => dropDatabase(db.name));
  const prefix = `gwbench-${randomBytes(4).toString('hex')}`;
  cleanup.add('delete the Redis keys', () => deleteRedisKeys(REDIS_URL, `${prefix}:*`));
  const dataSource = await new DataSource(dataSourceOptions(db.url, 'gateway-bench')).initialize();
  cleanup.add('close the bench pool', () => dataSource.destroy());

  log(`seeding ${settings.users} users and ${settings.events} events`);
  const tenant = await seed(dataSource, settings);
  await new FeedStamper(dataSource).stampAll();

  const oidcPort = await freePort();
  const workerPort = await freePort();
  const publicUrl = `http://127.0.0.1:${oidcPort}`;
  const adminToken = `gwa_bench_${randomBytes(24).toString('base64url')}`;
  const env = {
    DATABASE_URL: db.url,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'gw-bench-')),
    REDIS_URL,
    REDIS_PREFIX: prefix,
    SECRETS_KEY: randomBytes(32).toString('hex'),
    ADMIN_TOKEN: adminToken,
    PUBLIC_URL: publicUrl,
    OIDC_PORT: String(oidcPort),
    WORKER_PORT: String(workerPort),
    ALLOW_PRIVATE_NETWORKS: 'true',
    LOG_LEVEL: 'warn',
  };
  await startChild(cleanup, 'oidc', `${publicUrl}/health/ready`, env);
  await startChild(cleanup, 'worker', `http://127.0.0.1:${workerPort}/health/live`, env);
  const token = await productToken(publicUrl, adminToken);
  const get = async (path: string): Promise<ApiPage> => {
    const response = await fetch(`${publicUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as ApiPage;
  };

  log('reading the whole feed, limit 1000');
  const feed = await paged(async (cursor) => {
    const page = await get(`/events?limit=1000${cursor ? `&after=${cursor}` : ''}`);
    return { count: page.data.length, next: page.hasMore ? page.nextCursor : null };
  });
  log('exporting the directory, limit 500');
  const directory = await paged(async (cursor) => {
    const page = await get(`/directory/users?tenant=${tenant.slug}&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    return { count: page.data.length, next: page.nextCursor };
  });

  log(`${FOLLOWERS} concurrent followers reading the whole feed`);
  const followersStarted = performance.now();
  const served = await Promise.all(
    Array.from({ length: FOLLOWERS }, async () => {
      let count = 0;
      let cursor: string | undefined;
      for (;;) {
        const page = await get(`/events?limit=1000${cursor ? `&after=${cursor}` : ''}`);
        count += page.data.length;
        cursor = page.nextCursor!;
        if (!page.hasMore) return count;
      }
    }),
  );
  const followersSeconds = (performance.now() - followersStarted) / 1000;
  const followerEvents = served.reduce((sum, count) => sum + count, 0);

  log(`${settings.wakeups} long-poll wake-ups`);
  const wakeups = await measureWakeups(dataSource, tenant, get, settings.wakeups);

  writeReport('products-api', report({ code, settings, feed, directory, followerEvents, followersSeconds, wakeups }));
}

/** Reads every page; times each. */
async function paged(
  read: (cursor: string | null) => Promise<{ count: number; next: string | null }>,
): Promise<PagedRun> {
  const times: number[] = [];
  let items = 0;
  let cursor: string | null = null;
  const started = performance.now();
  do {
    const pageStarted = performance.now();
    const page = await read(cursor);
    times.push(performance.now() - pageStarted);
    items += page.count;
    cursor = page.next;
  } while (cursor);
  const sorted = [...times].sort((a, b) => a - b);
  return {
    items,
    pages: times.length,
    totalMs: performance.now() - started,
    firstMs: times[0],
    lastMs: times[times.length - 1],
    medianMs: sorted[Math.floor(sorted.length / 2)],
  };
}

/** Commit → answer of a request long-polling at the head, `count` times. */
async function measureWakeups(
  dataSource: DataSource,
  tenant: { id: string; slug: string },
  get: (path: string) => Promise<ApiPage>,
  count: number,
): Promise<number[]> {
  const outbox = new OutboxService();
  const latencies: number[] = [];
  let cursor = (await get(`/events?limit=1000&after=${await headCursor(get)}`)).nextCursor!;
  for (let i = 0; i < count; i++) {
    const waiting = get(`/events?limit=1000&wait=30&after=${cursor}`).then((page) => ({
      page,
      answeredAt: performance.now(),
    }));
    await sleep(50);
    await dataSource.transaction((em) =>
      outbox.append(em, {
        type: 'user.updated',
        tenant,
        subject: { type: 'user', id: `wakeup-${i}` },
        data: { id: `wakeup-${i}` },
      }),
    );
    const committedAt = performance.now();
    const { page, answeredAt } = await waiting;
    if (page.data.length !== 1) throw new Error(`the woken request carried ${page.data.length} events`);
    latencies.push(answeredAt - committedAt);
    cursor = page.nextCursor!;
  }
  return latencies.sort((a, b) => a - b);
}

async function headCursor(get: (path: string) => Promise<ApiPage>): Promise<string> {
  const page = await get(`/directory/users?limit=1`);
  return page.eventsCursor!;
}

function report(run: {
  code: string;
  settings: { events: number; users: number; wakeups: number };
  feed: PagedRun;
  directory: PagedRun;
  followerEvents: number;
  followersSeconds: number;
  wakeups: number[];
}): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const quantile = (q: number) => run.wakeups[Math.min(run.wakeups.length - 1, Math.floor(q * run.wakeups.length))];
  const line = (name: string, r: PagedRun) =>
    `| ${name} | ${r.items} | ${r.pages} | ${seconds(r.totalMs)} | ${ms(r.firstMs)} | ${ms(r.medianMs)} | ${ms(r.lastMs)} | ${(r.lastMs / r.firstMs).toFixed(2)} |`;
  return [
    `## Products API (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Command: \`node bench/run.js bench/products-api.bench.ts --events=${run.settings.events} --users=${run.settings.users} --wakeups=${run.settings.wakeups}\`; code: ${run.code}.`,
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}; OIDC app and worker from dist/, PostgreSQL and Redis on loopback.`,
    '',
    '| read | items | pages | total | first page | median page | last page | last ÷ first |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    line('events feed, limit 1000', run.feed),
    line('directory export, limit 500', run.directory),
    '',
    `Long-poll wake-up after a commit (${run.wakeups.length} commits): p50 ${ms(quantile(0.5))}, p99 ${ms(quantile(0.99))}, max ${ms(run.wakeups[run.wakeups.length - 1])}.`,
    '',
    `${FOLLOWERS} concurrent followers reading the whole feed: ${run.followerEvents} events in ${run.followersSeconds.toFixed(2)} s, ${Math.round(run.followerEvents / run.followersSeconds)} events/s.`,
    '',
  ].join('\n');
}

// ---- fixtures --------------------------------------------------------------

async function seed(
  dataSource: DataSource,
  settings: { events: number; users: number },
): Promise<{ id: string; slug: string }> {
  const [tenant] = await dataSource.query<{ id: string }[]>(
    `INSERT INTO tenants (slug, name) VALUES ('bench', 'Bench') RETURNING id`,
  );
  await dataSource.query(
    `INSERT INTO users (tenant_id, user_name, external_id, email_values, resource)
     SELECT $1, 'user' || n || '@bench.test', '00u' || n, ARRAY['user' || n || '@bench.test'],
            jsonb_build_object(
              'schemas', jsonb_build_array('urn:ietf:params:scim:schemas:core:2.0:User'),
              'userName', 'user' || n || '@bench.test', 'active', true,
              'name', jsonb_build_object('givenName', 'User', 'familyName', n::text),
              'emails', jsonb_build_array(jsonb_build_object('value', 'user' || n || '@bench.test', 'primary', true)))
     FROM generate_series(1, $2::int) AS n`,
    [tenant.id, settings.users],
  );
  await dataSource.query(
    `INSERT INTO outbox_subject_sequences (subject_type, subject_id, last_sequence)
     SELECT 'user', id::text, 1 FROM users WHERE tenant_id = $1`,
    [tenant.id],
  );
  // Relayed and fanned out already: the worker leaves them alone; the feed serves them.
  await dataSource.query(
    `INSERT INTO outbox_events (id, tenant_id, type, subject_type, subject_id, sequence, occurred_at, payload,
                                published_at, fanned_out_at)
     SELECT e.id, $1, 'user.updated', 'user', 'u' || e.n, 1, now(),
            jsonb_build_object('id', e.id, 'type', 'user.updated', 'occurredAt', now(),
              'tenant', jsonb_build_object('id', $1::uuid, 'slug', 'bench'),
              'subject', jsonb_build_object('type', 'user', 'id', 'u' || n), 'sequence', 1,
              'data', jsonb_build_object('id', 'u' || n, 'userName', 'user' || n || '@bench.test', 'active', true,
                'name', jsonb_build_object('givenName', 'User', 'familyName', n::text),
                'emails', jsonb_build_array(jsonb_build_object('value', 'user' || n || '@bench.test', 'primary', true)))),
            now(), now()
     FROM (SELECT n, gen_random_uuid() AS id FROM generate_series(1, $2::int) AS n) e`,
    [tenant.id, settings.events],
  );
  await dataSource.query(`VACUUM ANALYZE users`);
  await dataSource.query(`VACUUM ANALYZE outbox_events`);
  return { id: tenant.id, slug: 'bench' };
}

/** Registers a product with client credentials through the admin API and gets a token from the token endpoint. */
async function productToken(publicUrl: string, adminToken: string): Promise<string> {
  const created = await fetch(`${publicUrl}/admin/v1/clients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', grantTypes: ['client_credentials'] }),
  });
  const { clientId, clientSecret } = (await created.json()) as { clientId: string; clientSecret: string };
  const response = await fetch(`${publicUrl}/oidc/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'events:read directory:read' }).toString(),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no token: ${response.status} ${JSON.stringify(body)}`);
  return body.access_token;
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

async function startChild(cleanup: Cleanup, app: 'oidc' | 'worker', readyUrl: string, env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, `dist/apps/${app}/src/main.js`)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  cleanup.add(`stop the ${app} app`, () => stopChild(child, exited));
  await waitUntilReady(readyUrl, child);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

if (require.main === module) {
  const cleanup = new Cleanup();
  const standDown = superviseRun(cleanup, TIME_LIMIT_MS);
  main(cleanup)
    .then(() => cleanup.run())
    .then(standDown)
    .catch(async (error: unknown) => {
      log(`products-api bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      await cleanup.run();
      process.exit(1);
    });
}
