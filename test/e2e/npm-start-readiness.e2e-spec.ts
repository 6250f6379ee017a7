import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, collect, distEntry, freePort, runNode } from '../support/processes';
import { TestRedisServer, startRedisServer } from '../support/redis-server';
import { TestDatabase, createTestDatabase } from '../support/test-database';
import { redisPrefix } from '../support/test-environment';

/** Waits until `condition` holds (another process's output arrives when it arrives). */
async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function readiness(port: number): Promise<number> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(2000) })).status;
  } catch {
    return 0;
  }
}

const READY = 'identity gateway ready';

/**
 * What `npm start` says, and when: ready only once every app answers its
 * readiness check; a taken port or a missing Redis said plainly, once.
 */
describe('npm start: readiness and what it says', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-ready-'));
  let db: TestDatabase;
  let ports: { scim: number; oidc: number; worker: number };
  const running: ChildProcess[] = [];
  const adminToken = `gwa_${randomBytes(24).toString('base64url')}`;
  const secretsKey = randomBytes(32).toString('hex');

  beforeAll(async () => {
    db = await createTestDatabase();
    ports = { scim: await freePort(), oidc: await freePort(), worker: await freePort() };
  });
  afterAll(async () => {
    for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function start(
    redisUrl: string,
    extra: Record<string, string> = {},
  ): {
    child: ChildProcess;
    stdout: () => string;
    stderr: () => string;
    exited: Promise<number | null>;
  } {
    // As `npm start` runs it: every app in one process.
    const child = spawn(process.execPath, [distEntry('launcher'), '--one-process'], {
      env: childEnv({
        DATA_DIR: dataDir,
        DATABASE_URL: db.url,
        ADMIN_TOKEN: adminToken,
        // One key for every start: the database keeps what it sealed.
        SECRETS_KEY: secretsKey,
        REDIS_URL: redisUrl,
        REDIS_PREFIX: `${redisPrefix()}-ready`,
        SCIM_PORT: String(ports.scim),
        OIDC_PORT: String(ports.oidc),
        WORKER_PORT: String(ports.worker),
        LOG_LEVEL: 'warn',
        LOG_FORMAT: '',
        ...extra,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.push(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, ...collect(child), exited };
  }

  it('refuses a port another process holds, naming its variable, before starting anything', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(ports.oidc, '127.0.0.1', resolve));
    try {
      const launcher = start('redis://127.0.0.1:6379');
      const code = await launcher.exited;
      expect(code).toBe(78);
      expect(launcher.stderr()).toContain(
        `port ${ports.oidc} (OIDC_PORT) is already in use: is another gateway running? Stop it, or set OIDC_PORT to another port`,
      );
      expect(launcher.stderr()).not.toContain(READY);
      expect(launcher.stderr()).not.toContain('EADDRINUSE');
      expect(await readiness(ports.scim)).toBe(0);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  }, 60_000);

  it('refuses a taken port before `npm start` builds anything', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(ports.scim, '127.0.0.1', resolve));
    try {
      // `npm start` runs this first; it reads the port variables as the launcher does.
      const checked = await runNode(
        join(__dirname, '..', '..', 'apps', 'launcher', 'preflight.cjs'),
        [],
        childEnv({ SCIM_PORT: String(ports.scim), OIDC_PORT: String(ports.oidc), WORKER_PORT: String(ports.worker) }),
      );
      expect(checked.code).toBe(78);
      expect(checked.stderr.trim()).toBe(
        `port ${ports.scim} (SCIM_PORT) is already in use: is another gateway running? Stop it, or set SCIM_PORT to another port`,
      );
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
    const free = await runNode(
      join(__dirname, '..', '..', 'apps', 'launcher', 'preflight.cjs'),
      [],
      childEnv({ SCIM_PORT: String(ports.scim), OIDC_PORT: String(ports.oidc), WORKER_PORT: String(ports.worker) }),
    );
    expect(free).toMatchObject({ code: 0, stderr: '' });
  });

  describe('with Redis away at first', () => {
    let redis: TestRedisServer;

    beforeAll(async () => {
      redis = await startRedisServer();
      await redis.stop();
    });
    afterAll(() => redis.stop());

    it('waits for Redis with one plain line, serves SCIM meanwhile, and says ready once Redis comes', async () => {
      const launcher = start(redis.url);
      try {
        await eventually(() => launcher.stderr().includes('waiting for Redis'), 90_000);
        expect(launcher.stderr()).toContain(`waiting for Redis: nothing answers at ${redis.url} (REDIS_URL)`);
        expect(launcher.stderr()).not.toContain(READY);
        // The SCIM app does not need Redis; the OIDC app and the worker do.
        expect(await readiness(ports.scim)).toBe(200);
        expect(await readiness(ports.oidc)).toBe(503);
        expect(await readiness(ports.worker)).toBe(503);

        // Reconnection attempts go on quietly: no line per retry.
        await new Promise((resolve) => setTimeout(resolve, 5000));
        const said = launcher.stderr();
        expect(said.match(/waiting for Redis/g)).toHaveLength(1);
        expect(said).not.toContain(READY);
        // One warning in all (the apps share one process), when it first missed Redis.
        const warnings = launcher
          .stdout()
          .split('\n')
          .filter((line) => line.includes('"level":40'));
        expect(warnings.length).toBeLessThanOrEqual(1);
        for (const warning of warnings) expect(JSON.parse(warning).msg).toContain('is unavailable');

        await redis.start();
        await eventually(() => launcher.stderr().includes(READY), 60_000);
        for (const port of Object.values(ports)) expect(await readiness(port)).toBe(200);
        expect(launcher.stderr().trimEnd().endsWith('Ctrl-C stops the gateway.')).toBe(true);
      } finally {
        launcher.child.kill('SIGTERM');
        expect(await launcher.exited).toBe(0);
      }
    }, 180_000);

    it('stops within a few seconds on Ctrl-C when Redis went away after ready', async () => {
      await redis.start();
      const launcher = start(redis.url);
      await eventually(() => launcher.stderr().includes(READY), 90_000);
      await redis.stop();
      await eventually(async () => (await readiness(ports.oidc)) === 503, 30_000);
      const stoppedAt = Date.now();
      launcher.child.kill('SIGINT');
      expect(await launcher.exited).toBe(0);
      expect(Date.now() - stoppedAt).toBeLessThan(10_000);
      expect(launcher.stderr()).not.toContain('still waiting for the apps');
      for (const port of Object.values(ports)) expect(await readiness(port)).toBe(0);
    }, 180_000);

    it('leaves no app running when the launcher is hung up on (a closed terminal) while Redis is away', async () => {
      await redis.start();
      const launcher = start(redis.url);
      await eventually(() => launcher.stderr().includes(READY), 90_000);
      const apps = execFileSync('pgrep', ['-P', String(launcher.child.pid)], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .map(Number);
      expect(apps.length).toBeGreaterThan(0);
      await redis.stop();
      await eventually(async () => (await readiness(ports.oidc)) === 503, 30_000);
      launcher.child.kill('SIGHUP');
      await launcher.exited;
      const alive = (pid: number) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      await eventually(() => !apps.some(alive), 30_000);
      for (const port of Object.values(ports)) expect(await readiness(port)).toBe(0);
    }, 180_000);

    it('stops within a few seconds on Ctrl-C while Redis is away, saying what it waits for', async () => {
      await redis.stop();
      // The launcher hands its log format down: the apps write short lines too.
      const launcher = start(redis.url, { LOG_FORMAT: 'pretty' });
      await eventually(() => launcher.stderr().includes('waiting for Redis'), 90_000);
      const stoppedAt = Date.now();
      launcher.child.kill('SIGINT');
      expect(await launcher.exited).toBe(0);
      expect(Date.now() - stoppedAt).toBeLessThan(10_000);
      expect(launcher.stderr()).toContain('stopping the gateway: letting requests in flight finish');
      expect(launcher.stderr()).not.toContain(READY);
      for (const port of Object.values(ports)) expect(await readiness(port)).toBe(0);
      expect(launcher.stdout()).toMatch(
        /WARN.*Redis:gateway: Redis \(REDIS_URL redis:\/\/127\.0\.0\.1:\d+\) is unavailable/,
      );
      expect(
        launcher
          .stdout()
          .split('\n')
          .filter((line) => line.startsWith('{')),
      ).toEqual([]);
    }, 120_000);
  });
});
