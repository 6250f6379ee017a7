import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, collect, distEntry, freePort, waitFor200 } from '../support/processes';
import { TEST_REDIS_URL, redisPrefix } from '../support/test-environment';

/**
 * `npm start` with DATABASE_URL unset: the launcher starts the embedded
 * PostgreSQL under DATA_DIR and every app, and stops them all on SIGTERM.
 */
describe('npm start on the embedded database', () => {
  const root = mkdtempSync(join(tmpdir(), 'gw-start-'));
  // PostgreSQL may run as another system user (when tests run as root): let it reach DATA_DIR.
  chmodSync(root, 0o755);
  const dataDir = join(root, 'data');
  let ports: { scim: number; oidc: number; worker: number };

  beforeAll(async () => {
    ports = { scim: await freePort(), oidc: await freePort(), worker: await freePort() };
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const start = (): { child: ChildProcess; stderr: () => string } => {
    const child = spawn(process.execPath, [distEntry('launcher')], {
      env: childEnv({
        DATA_DIR: dataDir,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: `${redisPrefix()}-start`,
        SCIM_PORT: String(ports.scim),
        OIDC_PORT: String(ports.oidc),
        WORKER_PORT: String(ports.worker),
        LOG_LEVEL: 'warn',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { child, stderr: collect(child).stderr };
  };

  const stop = (child: ChildProcess): Promise<number | null> =>
    new Promise((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.kill('SIGTERM');
    });

  const readyEverywhere = () =>
    Promise.all(Object.values(ports).map((port) => waitFor200(`http://127.0.0.1:${port}/health/ready`, 90_000)));

  it('starts every app on a fresh embedded database, and keeps its data across a restart', async () => {
    const first = start();
    await readyEverywhere();
    expect(first.stderr()).toContain('Generated an admin token');
    const adminToken = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    expect(first.stderr()).toContain(adminToken);
    expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);

    const created = await fetch(`http://127.0.0.1:${ports.oidc}/admin/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ slug: 'persisted', name: 'Persisted' }),
    });
    expect(created.status).toBe(201);

    expect(await stop(first.child)).toBe(0);
    // The launcher stops the database it started.
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);

    const second = start();
    try {
      await readyEverywhere();
      expect(second.stderr()).not.toContain('Generated an admin token');
      const fetched = await fetch(`http://127.0.0.1:${ports.oidc}/admin/v1/tenants/persisted`, {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      expect(fetched.status).toBe(200);
    } finally {
      expect(await stop(second.child)).toBe(0);
    }
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  }, 180_000);
});
