import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, collect, distEntry, freePort, waitFor200 } from '../support/processes';
import { eventually } from '../support/webhook-receiver';
import { TEST_REDIS_URL, redisPrefix } from '../support/test-environment';

/** The pid of the child of `parent` whose command line contains `entry`. */
function childPid(parent: number, entry: string): number | undefined {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(entry)) return Number(pid);
    } catch {
      // The process ended while being read.
    }
  }
  return undefined;
}

/**
 * `npm start` (the launcher with --one-process): every app in one Node.js process, still
 * supervised: a crash is said, restarted with backoff, and every app comes back.
 */
describe('npm start with every app in one process', () => {
  const root = mkdtempSync(join(tmpdir(), 'gw-one-'));
  // PostgreSQL may run as another system user (when tests run as root): let it reach DATA_DIR.
  chmodSync(root, 0o755);
  let launcher: ChildProcess | undefined;
  afterAll(async () => {
    if (launcher && launcher.exitCode === null) {
      launcher.kill('SIGTERM');
      await new Promise((resolve) => launcher?.once('exit', resolve));
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('serves every app from one process, and restarts it with backoff after a crash', async () => {
    const ports = { scim: await freePort(), oidc: await freePort(), worker: await freePort() };
    const child = spawn(process.execPath, [distEntry('launcher'), '--one-process'], {
      env: childEnv({
        DATA_DIR: join(root, 'data'),
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: `${redisPrefix()}-one`,
        SCIM_PORT: String(ports.scim),
        OIDC_PORT: String(ports.oidc),
        WORKER_PORT: String(ports.worker),
        LOG_LEVEL: 'warn',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    launcher = child;
    const output = collect(child);
    await eventually(() => output.stderr().includes('Ctrl-C stops the gateway.'), 90_000, output.stderr());
    for (const port of Object.values(ports)) {
      expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
    }
    // One Node.js process hosts the three apps.
    const hosting = childPid(child.pid!, 'all-apps.main.js');
    expect(hosting).toBeDefined();
    for (const app of ['scim', 'oidc', 'worker']) {
      expect(childPid(child.pid!, join('apps', app, 'src', 'main.js'))).toBeUndefined();
    }

    process.kill(hosting!, 'SIGKILL');
    await eventually(
      () => /stopped unexpectedly \(signal SIGKILL\); restarting it in 1 s \(at [^)]+\)\n/.test(output.stderr()),
      30_000,
      output.stderr(),
    );
    // It claims nothing about other apps: there are none left running.
    expect(output.stderr()).not.toContain('the other apps keep running');
    await eventually(() => output.stderr().includes('in one process) is back'), 90_000, output.stderr());
    await Promise.all(Object.values(ports).map((port) => waitFor200(`http://127.0.0.1:${port}/health/ready`, 30_000)));
    expect(childPid(child.pid!, 'all-apps.main.js')).not.toBe(hosting);

    // SIGTERM drains and stops everything, the embedded database last.
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
  }, 240_000);
});
