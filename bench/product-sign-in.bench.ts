/**
 * Products signing in through the gateway (its OpenID Provider) beside today's direct sign-in, in the
 * same run: sign-ins per second through the whole chain (product → gateway → tenant IdP → gateway →
 * product, code redeemed), the token endpoint's code exchange p50/p99, and the time from a SCIM
 * deactivation to the product's back-channel logout (p50/p99 over --users users). Results: docs/PERFORMANCE.md.
 *
 *   node bench/run.js bench/product-sign-in.bench.ts [--no-build] [--clients=4] [--duration=15] [--users=200]
 *
 * Builds (`npm run build`), creates database gw_bench_<random>, starts the test IdP, the OIDC app, the
 * SCIM app and the worker from dist/ as child processes on loopback, and removes processes, database and
 * Redis keys at the end, on failure, on Ctrl-C and at the time limit.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import * as oidc from 'openid-client';
import { HttpBrowser } from '../test/support/http-browser';
import { Cleanup, buildForRun, freePort, log, stopChild, superviseRun, waitUntilReady, writeReport } from './bench-run';
import { LogoutReceiver, startLogoutReceiver } from './product-sign-in/logout-receiver';
import {
  BenchProduct,
  ProductSignInRun,
  productSignIn,
  runProductSignIns,
} from './product-sign-in/product-sign-in-loop';
import { createBenchDatabase } from './scim-users/bench-database';
import { deleteRedisKeys, describeMachine } from './scim-users/bench-environment';
import { startGateway } from './scim-users/bench-servers';
import { waitForQuiet } from './scim-users/cpu-usage';
import { fixed } from './scim-users/users-report';
import { startIdpProcess } from './sign-in/idp-process';
import { startOidcServer } from './sign-in/oidc-server';
import { quantile } from './sign-in/sign-in-report';
import { SignInRun, runSignIns } from './sign-in/sign-in-loop';

const ROOT = join(__dirname, '..');
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TIME_LIMIT_MS = 15 * 60_000;
const TENANT = 'bench-acme';
/** Never opened: the runs stop at the redirect there. */
const RETURN_TO = `https://app.${TENANT}.example/home`;
const PRODUCT_CALLBACK = 'http://127.0.0.1:9/product/callback';
const LOGOUT_WAIT_MS = 30_000;
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

interface Options {
  readonly build: boolean;
  readonly clients: number;
  readonly durationSeconds: number;
  readonly users: number;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      'no-build': { type: 'boolean', default: false },
      clients: { type: 'string', default: '4' },
      duration: { type: 'string', default: '15' },
      users: { type: 'string', default: '200' },
    },
  });
  return {
    build: !values['no-build'],
    clients: Math.max(1, Number(values.clients)),
    durationSeconds: Number(values.duration),
    users: Math.max(1, Number(values.users)),
  };
}

async function main(): Promise<void> {
  const options = parseOptions();
  const cleanup = new Cleanup();
  const standDown = superviseRun(cleanup, TIME_LIMIT_MS);
  try {
    const code = buildForRun(options.build);
    const db = await createBenchDatabase(POSTGRES_URL);
    cleanup.add(`drop database ${db.name}`, () => db.drop());
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const idpClient = {
      client_id: `gateway-${TENANT}`,
      client_secret: randomBytes(24).toString('base64url'),
      redirect_uris: [`${publicUrl}/auth/callback`],
    };
    const logins = Array.from({ length: options.users }, (_, i) => `user${i}@${TENANT}.example`);
    // The users deactivated at the end are not the ones the throughput runs sign in over and over:
    // each of those holds dozens of sessions by then, which no real user does.
    const leavers = Array.from({ length: options.users }, (_, i) => `leaver${i}@${TENANT}.example`);
    const idp = await startIdpProcess({
      client: idpClient,
      accounts: [...logins, ...leavers].map((email, i) => ({ sub: `00u-bench-${i}`, email, name: `User ${i}` })),
    });
    cleanup.add('stop the test IdP', () => idp.stop());
    const redisPrefix = `gw-bench-${randomBytes(3).toString('hex')}`;
    cleanup.add(`delete Redis keys ${redisPrefix}*`, () => deleteRedisKeys(REDIS_URL, `${redisPrefix}*`));
    const adminToken = `gwa_bench_${randomBytes(24).toString('base64url')}`;
    const secretsKey = randomBytes(32).toString('hex');
    const gateway = await startOidcServer({
      port,
      databaseUrl: db.url,
      redisUrl: REDIS_URL,
      redisPrefix,
      adminToken,
      secretsKey,
    });
    cleanup.add('stop the OIDC app', () => gateway.stop());
    const scim = await startGateway({ databaseUrl: db.url, redisUrl: REDIS_URL, redisPrefix });
    cleanup.add('stop the SCIM app', () => scim.stop());
    const worker = await startWorker({ databaseUrl: db.url, redisPrefix, secretsKey, adminToken, publicUrl });
    cleanup.add('stop the worker', () => worker());
    const receiver = await startLogoutReceiver();
    cleanup.add('stop the logout receiver', () => receiver.close());

    const admin = adminApi(publicUrl, adminToken);
    await admin('POST', '/admin/v1/tenants', { slug: TENANT, name: 'Bench Acme', domains: [`${TENANT}.example`] });
    await admin('PUT', `/admin/v1/tenants/${TENANT}/oidc`, {
      issuer: idp.issuer,
      clientId: idpClient.client_id,
      clientSecret: idpClient.client_secret,
      scopes: ['openid', 'profile', 'email'],
      allowedReturnUrls: [RETURN_TO],
    });
    const client = (await admin('POST', '/admin/v1/clients', {
      name: 'Bench product',
      redirectUris: [PRODUCT_CALLBACK],
      backchannelLogoutUri: receiver.url,
    })) as { clientId: string; clientSecret: string };
    const { token: scimToken } = (await admin('POST', `/admin/v1/tenants/${TENANT}/scim-tokens`, {})) as {
      token: string;
    };
    log(`provisioning ${2 * options.users} users through SCIM`);
    const userIds = await provision(scim.url, scimToken, [...logins, ...leavers]);

    const product: BenchProduct = {
      config: await oidc.discovery(new URL(publicUrl), client.clientId, client.clientSecret, undefined, {
        execute: [oidc.allowInsecureRequests],
      }),
      redirectUri: PRODUCT_CALLBACK,
      organization: TENANT,
      logins,
    };
    const direct = { publicUrl, tenant: TENANT, returnTo: RETURN_TO, logins };
    log('warm-up: a few sign-ins of each kind');
    await runSignIns(direct, 2, 3);
    await runProductSignIns(product, 2, 3);

    const busyBefore = await waitForQuiet(60_000);
    const runs: { clients: number; direct: SignInRun; product: ProductSignInRun }[] = [];
    for (const clients of [1, options.clients]) {
      log(`direct sign-ins, ${clients} browser(s), ${options.durationSeconds} s`);
      await waitForQuiet(30_000);
      const directRun = await runSignIns(direct, clients, options.durationSeconds);
      log(`product sign-ins, ${clients} browser(s), ${options.durationSeconds} s`);
      await waitForQuiet(30_000);
      const productRun = await runProductSignIns(product, clients, options.durationSeconds);
      if (directRun.failed + productRun.failed > 0) {
        log(
          `failures: direct ${directRun.failed} (${directRun.firstError}), product ${productRun.failed} (${productRun.firstError})`,
        );
      }
      runs.push({ clients, direct: directRun, product: productRun });
    }

    log(`back-channel logout: ${options.users} users signed in to the product, then deactivated one by one`);
    const logout = await measureDeactivationToLogout(
      product,
      scim.url,
      scimToken,
      leavers,
      userIds.slice(logins.length),
      receiver,
    );

    const flags = process.argv.slice(2).filter((arg) => arg !== '--no-build');
    writeReport(
      'product-sign-in',
      render({
        date: new Date().toISOString().slice(0, 10),
        command: ['node bench/run.js bench/product-sign-in.bench.ts', ...flags].join(' '),
        code,
        machine: await describeMachine(db, REDIS_URL, busyBefore),
        runs,
        logout,
      }),
    );
  } finally {
    standDown();
    await cleanup.run();
  }
}

interface LogoutResult {
  readonly users: number;
  readonly delivered: number;
  /** Milliseconds from the SCIM PATCH being sent to the logout token arriving at the product. */
  readonly latencyMs: number[];
}

async function measureDeactivationToLogout(
  product: BenchProduct,
  scimUrl: string,
  scimToken: string,
  logins: readonly string[],
  userIds: readonly string[],
  receiver: LogoutReceiver,
): Promise<LogoutResult> {
  const sessions: { userId: string; sid: string }[] = [];
  for (const [index, login] of logins.entries()) {
    const signIn = await productSignIn(new HttpBrowser(), product, login);
    sessions.push({ userId: userIds[index], sid: signIn.sid });
  }
  const sentAt = new Map<string, number>();
  for (const session of sessions) {
    sentAt.set(session.sid, performance.now());
    const response = await fetch(`${scimUrl}/scim/v2/Users/${session.userId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] }),
    });
    if (response.status !== 200) throw new Error(`deactivation answered ${response.status}: ${await response.text()}`);
  }
  const deadline = performance.now() + LOGOUT_WAIT_MS;
  while (performance.now() < deadline && sessions.some((s) => !receiver.arrivals.has(s.sid))) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const latencyMs = sessions
    .filter((s) => receiver.arrivals.has(s.sid))
    .map((s) => receiver.arrivals.get(s.sid)! - sentAt.get(s.sid)!);
  return { users: sessions.length, delivered: latencyMs.length, latencyMs };
}

async function provision(scimUrl: string, token: string, logins: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [index, email] of logins.entries()) {
    const response = await fetch(`${scimUrl}/scim/v2/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: email,
        externalId: `00u-bench-${index}`,
        emails: [{ value: email, primary: true }],
        active: true,
      }),
    });
    if (response.status !== 201) throw new Error(`SCIM create answered ${response.status}: ${await response.text()}`);
    ids.push(((await response.json()) as { id: string }).id);
  }
  return ids;
}

function adminApi(publicUrl: string, token: string) {
  return async (method: string, path: string, body: unknown): Promise<unknown> => {
    const response = await fetch(`${publicUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
}

/** The worker from dist/, which delivers the logout tokens; it signs them as PUBLIC_URL with the OIDC app's keys. */
async function startWorker(options: {
  databaseUrl: string;
  redisPrefix: string;
  secretsKey: string;
  adminToken: string;
  publicUrl: string;
}): Promise<() => Promise<void>> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-bench-'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DATABASE_URL', 'DATA_DIR', 'REDIS_URL', 'ADMIN_TOKEN', 'SECRETS_KEY', 'PUBLIC_URL'])
    delete env[name];
  const child = spawn(process.execPath, [join(ROOT, 'dist/apps/worker/src/main.js')], {
    env: {
      ...env,
      DATABASE_URL: options.databaseUrl,
      DATA_DIR: dataDir,
      REDIS_URL,
      REDIS_PREFIX: options.redisPrefix,
      SECRETS_KEY: options.secretsKey,
      ADMIN_TOKEN: options.adminToken,
      PUBLIC_URL: options.publicUrl,
      WORKER_PORT: String(port),
      ALLOW_PRIVATE_NETWORKS: 'true',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitUntilReady(`http://127.0.0.1:${port}/health/live`, child);
  return async () => {
    await stopChild(child, exited);
    rmSync(dataDir, { recursive: true, force: true });
  };
}

const ms = (values: readonly number[], q: number) => fixed(quantile(values, q), 1);

function render(report: {
  date: string;
  command: string;
  code: string;
  machine: string;
  runs: readonly { clients: number; direct: SignInRun; product: ProductSignInRun }[];
  logout: LogoutResult;
}): string {
  const rows = report.runs.flatMap(({ clients, direct, product }) => [
    `| direct (\`/auth/login\` → IdP → \`/auth/callback\`) | ${clients} | ${fixed(direct.completed / direct.seconds, 1)} | ${ms(direct.signInMs, 0.5)} | ${ms(direct.signInMs, 0.99)} | – | – | ${direct.failed} |`,
    `| product (OIDC client → gateway → IdP → gateway → code → token) | ${clients} | ${fixed(product.completed / product.seconds, 1)} | ${ms(product.signInMs, 0.5)} | ${ms(product.signInMs, 0.99)} | ${ms(product.exchangeMs, 0.5)} | ${ms(product.exchangeMs, 0.99)} | ${product.failed} |`,
  ]);
  return [
    `## Product sign-in through the gateway (${report.date})`,
    '',
    `Command: \`${report.command}\` (code: ${report.code}).`,
    '',
    `Machine: ${report.machine}.`,
    '',
    'The OIDC app, the SCIM app and the worker from `dist/` (LOG_LEVEL=warn), the test IdP (`oidc-provider`) in a ' +
      'process of its own, the browsers (`HttpBrowser`) and the product (openid-client) in the benchmark process. ' +
      'Every sign-in starts from an empty cookie jar, so each goes to the IdP; the runs alternate on the same processes.',
    '',
    '| path | browsers | sign-ins/s | p50 ms | p99 ms | code exchange p50 ms | p99 ms | failed |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Back-channel logout after SCIM deactivation: ${report.logout.users} users each signed in to the product, then ` +
      `deactivated one after another through SCIM; ${report.logout.delivered} logout tokens arrived. From the PATCH ` +
      `being sent to the logout token at the product: p50 ${ms(report.logout.latencyMs, 0.5)} ms, p99 ` +
      `${ms(report.logout.latencyMs, 0.99)} ms, max ${ms(report.logout.latencyMs, 1)} ms.`,
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
