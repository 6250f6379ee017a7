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

  const start = (): {
    child: ChildProcess;
    stdout: () => string;
    stderr: () => string;
    exited: Promise<number | null>;
  } => {
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
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, ...collect(child), exited };
  };

  /** Resolves once the launcher has printed its ready banner (the last thing it prints at start). */
  const bannerOf = async (launcher: { stderr: () => string }): Promise<string> => {
    const deadline = Date.now() + 90_000;
    while (!launcher.stderr().includes('Ctrl-C stops the gateway.')) {
      if (Date.now() > deadline) throw new Error(`no ready banner:\n${launcher.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const said = launcher.stderr();
    return said.slice(said.indexOf('identity gateway ready'));
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
    const banner = await bannerOf(first);
    // Ready means every app answers its readiness check.
    for (const port of Object.values(ports)) {
      expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
    }
    // The generated admin token is in the banner, with the URLs, not scrolled away before it.
    const adminToken = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    expect(banner).toContain(`admin token     ${adminToken}`);
    expect(banner).toContain(`generated on this start and shown only this once; kept in ${dataDir}/admin-token`);
    expect(banner).toContain(`SCIM base URL   http://localhost:${ports.scim}/scim/v2`);
    expect(banner).toContain(`admin API       http://localhost:${ports.oidc}/admin/v1`);
    expect(first.stderr().split(adminToken)).toHaveLength(2);
    // No app warns about its routes at start (Nest 11 route syntax throughout).
    expect(first.stdout() + first.stderr()).not.toContain('LegacyRouteConverter');
    expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);

    // A second `npm start` in the same folder stops at once, naming the port variable, and leaves the first alone.
    const again = start();
    expect(await again.exited).toBe(78);
    expect(again.stderr()).toContain(`port ${ports.scim} (SCIM_PORT) is already in use: is another gateway running?`);
    expect(again.stderr()).not.toContain('identity gateway ready');
    await readyEverywhere();

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
      const secondBanner = await bannerOf(second);
      expect(second.stderr()).not.toContain(adminToken);
      expect(secondBanner).toContain(`admin token     kept in ${dataDir}/admin-token`);
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
