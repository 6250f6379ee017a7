import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, collect, distEntry, freePort } from '../support/processes';
import { TestDatabase, createTestDatabase } from '../support/test-database';
import { TEST_REDIS_URL, redisPrefix } from '../support/test-environment';
import { WebhookReceiver, eventually, startWebhookReceiver } from '../support/webhook-receiver';

/** The pid of the launcher's child running `apps/<app>/src/main.js` (read from /proc). */
function childPid(parent: number, app: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The parent pid is the second field after the parenthesised command name.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parent) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(join('apps', app, 'src', 'main.js'))) return Number(entry);
    } catch {
      // The process ended while being read.
    }
  }
  return undefined;
}

/**
 * Under `npm start`, a crashed app is restarted with backoff while the others keep
 * serving: a worker killed with SIGKILL never takes SCIM down, and comes back.
 */
describe('npm start: restarting a crashed app', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-restarts-'));
  let db: TestDatabase;
  let hook: WebhookReceiver;
  let launcher: { child: ChildProcess; stdout: () => string; stderr: () => string } | undefined;
  const adminToken = `gwa_${randomBytes(24).toString('base64url')}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    hook = await startWebhookReceiver();
  });
  afterAll(async () => {
    const child = launcher?.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await hook.close();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('restarts a worker killed with SIGKILL while SCIM keeps answering, and events flow again', async () => {
    const ports = { scim: await freePort(), oidc: await freePort(), worker: await freePort() };
    const child = spawn(process.execPath, [distEntry('launcher')], {
      env: childEnv({
        DATA_DIR: dataDir,
        DATABASE_URL: db.url,
        ADMIN_TOKEN: adminToken,
        SECRETS_KEY: randomBytes(32).toString('hex'),
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: `${redisPrefix()}-restarts`,
        SCIM_PORT: String(ports.scim),
        OIDC_PORT: String(ports.oidc),
        WORKER_PORT: String(ports.worker),
        // The test's webhook receiver listens on loopback.
        ALLOW_PRIVATE_NETWORKS: 'true',
        LOG_LEVEL: 'warn',
        LOG_FORMAT: '',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    launcher = { child, ...collect(child) };
    const said = launcher.stderr;
    await eventually(() => said().includes('Ctrl-C stops the gateway.'), 120_000, `the ready banner:\n${said()}`);

    const admin = async (method: string, path: string, body?: unknown): Promise<any> => {
      const response = await fetch(`http://127.0.0.1:${ports.oidc}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(response.status).toBeLessThan(300);
      return response.json();
    };
    await admin('POST', '/admin/v1/tenants', { slug: 'acme', name: 'Acme' });
    const { token } = await admin('POST', '/admin/v1/tenants/acme/scim-tokens', {});
    await admin('POST', '/admin/v1/subscriptions', { name: 'all', url: hook.url, events: ['*'] });
    const scim = (method: string, path: string, body?: unknown): Promise<Response> =>
      fetch(`http://127.0.0.1:${ports.scim}/scim/v2${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
    const createUser = async (userName: string): Promise<string> => {
      const response = await scim('POST', '/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName,
        active: true,
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { id: string }).id;
    };
    const before = await createUser('before@corp.test');
    await eventually(() => hook.received.some((r) => r.body.includes(before)), 60_000, 'the first event');

    // SCIM answers throughout the crash and the restart.
    let polling = true;
    const statuses: number[] = [];
    const poller = (async () => {
      while (polling) {
        statuses.push(
          await scim('GET', '/Users?count=1').then(
            (r) => r.status,
            () => 0,
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();

    const worker = childPid(child.pid!, 'worker');
    expect(worker).toBeDefined();
    process.kill(worker!, 'SIGKILL');

    await eventually(
      () => said().includes('worker stopped unexpectedly (signal SIGKILL); restarting it in 1 s'),
      30_000,
      `the restart line:\n${said()}`,
    );
    // Events written while the worker is away are delivered once it is back.
    const during = await createUser('during@corp.test');
    await eventually(() => said().includes('worker is back'), 90_000, `the worker back:\n${said()}`);
    const restarted = childPid(child.pid!, 'worker');
    expect(restarted).toBeDefined();
    expect(restarted).not.toBe(worker);
    const after = await createUser('after@corp.test');
    await eventually(
      () => [during, after].every((id) => hook.received.some((r) => r.body.includes(id))),
      60_000,
      'the events written during and after the crash',
    );
    polling = false;
    await poller;

    expect(statuses.length).toBeGreaterThan(3);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    // The launcher and the other apps never stopped.
    expect(child.exitCode).toBeNull();
    expect(said()).not.toContain('stopping the gateway');
    expect(said()).toMatch(/restarting it in 1 s \(at \d{4}-\d\d-\d\dT[\d:.]+Z\); the other apps keep running/);
  }, 300_000);
});
