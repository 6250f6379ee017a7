import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, collect, distEntry, freePort } from '../support/processes';
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
    const child = spawn(process.execPath, [distEntry('launcher')], {
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
        expect(launcher.stderr()).toContain(`nothing answers at ${redis.url} (REDIS_URL)`);
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
        // At most one warning per app, when it first missed Redis.
        const warnings = launcher
          .stdout()
          .split('\n')
          .filter((line) => line.includes('"level":40'));
        expect(warnings.length).toBeLessThanOrEqual(3);
        for (const warning of warnings) expect(warning).toContain('is unavailable');

        await redis.start();
        await eventually(() => launcher.stderr().includes(READY), 60_000);
        for (const port of Object.values(ports)) expect(await readiness(port)).toBe(200);
        expect(launcher.stderr().trimEnd().endsWith('Ctrl-C stops the gateway.')).toBe(true);
      } finally {
        launcher.child.kill('SIGTERM');
        expect(await launcher.exited).toBe(0);
      }
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
