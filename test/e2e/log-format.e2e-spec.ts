import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, collect, distEntry, freePort, runNode, waitFor200 } from '../support/processes';
import { TestDatabase, createTestDatabase } from '../support/test-database';
import { TEST_REDIS_URL, redisPrefix } from '../support/test-environment';

/**
 * What an app writes at start and per request, as a person at a terminal and
 * a log pipeline each see it: JSON lines unless LOG_FORMAT=pretty or standard
 * output is a terminal; pino-pretty loaded only for the pretty format.
 */
/** Waits until `condition` holds (the output of another process arrives when it arrives). */
async function eventually(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('log format of an app process', () => {
  const root = mkdtempSync(join(tmpdir(), 'gw-logs-'));
  // Reports, when the process is asked to stop, whether pino-pretty was ever loaded into it.
  const probe = join(root, 'report-pino-pretty.js');
  writeFileSync(
    probe,
    `process.once('SIGTERM', () => process.stderr.write('pino-pretty loaded: ' +
       Object.keys(require.cache).some((file) => file.includes('/node_modules/pino-pretty/')) + '\\n'));\n`,
  );
  let db: TestDatabase;
  // One key for the file: the database keeps what the OIDC app sealed with it.
  const secretsKey = randomBytes(32).toString('hex');

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
    rmSync(root, { recursive: true, force: true });
  });

  const appEnv = (port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv =>
    childEnv({
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: `${redisPrefix()}-logs`,
      SCIM_PORT: String(port),
      ADMIN_TOKEN: `gwa_${randomBytes(24).toString('base64url')}`,
      OIDC_PORT: String(port),
      SECRETS_KEY: secretsKey,
      LOG_FORMAT: '',
      ...extra,
    });

  const stop = (child: ChildProcess): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });

  /** Starts the SCIM app, sends one refused request with a bearer token, stops it, and returns what it wrote. */
  async function runScimApp(extra: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
    const port = await freePort();
    const child = spawn(process.execPath, ['--require', probe, distEntry('scim')], {
      env: appEnv(port, extra),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = collect(child);
    try {
      await waitFor200(`http://127.0.0.1:${port}/health/ready`, 60_000);
      const refused = await fetch(
        `http://127.0.0.1:${port}/scim/v2/Users?filter=userName%20eq%20%22zqx-filter-user%22`,
        {
          headers: { authorization: 'Bearer gws_NOT_A_TOKEN_SECRET' },
        },
      );
      expect(refused.status).toBe(401);
      // The request's line is written once the response has gone out.
      await eventually(() => output.stdout().includes('/scim/v2/Users'));
    } finally {
      await stop(child);
    }
    return { stdout: output.stdout(), stderr: output.stderr() };
  }

  it('writes JSON lines into a pipe, never loads pino-pretty, and logs the request without its secrets', async () => {
    const { stdout, stderr } = await runScimApp({ LOG_LEVEL: 'info' });
    const lines = stdout.trim().split('\n');
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.find((record) => record.msg === 'request completed')).toMatchObject({
      level: 30,
      req: { method: 'GET', path: '/scim/v2/Users' },
      res: { statusCode: 401 },
    });
    expect(stdout + stderr).not.toContain('NOT_A_TOKEN_SECRET');
    expect(stdout).not.toContain('zqx-filter-user');
    expect(stderr).toContain('pino-pretty loaded: false');
    // Nest 11 route syntax: no "LegacyRouteConverter: Unsupported route path" at start.
    expect(stdout + stderr).not.toContain('LegacyRouteConverter');
    // Probes are not logged.
    const logged = records.filter((record) => record.msg === 'request completed');
    expect(logged.map((record) => (record.req as { path: string }).path)).toEqual(['/scim/v2/Users']);
  });

  it('writes one short line per request with LOG_FORMAT=pretty, without the start-up wiring report', async () => {
    const { stdout, stderr } = await runScimApp({ LOG_LEVEL: 'info', LOG_FORMAT: 'pretty' });
    expect(stdout).toMatch(/INFO.*GET \/scim\/v2\/Users 401 \d+ms/);
    expect(stdout.split('\n').filter((line) => line.trimStart().startsWith('{'))).toEqual([]);
    expect(stdout).not.toContain('InstanceLoader');
    expect(stdout).not.toContain('RouterExplorer');
    expect(stdout).not.toContain('LegacyRouteConverter');
    expect(stdout + stderr).not.toContain('NOT_A_TOKEN_SECRET');
    expect(stdout).not.toContain('zqx-filter-user');
    expect(stderr).toContain('pino-pretty loaded: true');
  });

  it('writes the pretty format when standard output is a terminal', async () => {
    const port = await freePort();
    const transcript = join(root, 'terminal.txt');
    const command = `${process.execPath} ${distEntry('scim')}`;
    // script(1) runs the app on a pseudo-terminal and copies what it shows into the transcript.
    const child = spawn('script', ['-qfc', command, transcript], {
      env: appEnv(port, { LOG_LEVEL: 'info' }),
      stdio: ['ignore', 'ignore', 'ignore'],
      detached: true,
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await waitFor200(`http://127.0.0.1:${port}/health/ready`, 60_000);
      await fetch(`http://127.0.0.1:${port}/scim/v2/Users`);
      await eventually(() => readFileSync(transcript, 'utf8').includes('/scim/v2/Users'));
    } finally {
      // The app runs in script's process group: stop them together.
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
    const shown = readFileSync(transcript, 'utf8');
    expect(shown).toMatch(/GET \/scim\/v2\/Users 401 \d+ms/);
    expect(shown).not.toMatch(/^\{"level"/m);
  });

  it('names the port variable when the port is taken, and exits with 78', async () => {
    const port = await freePort();
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const finished = await runNode(distEntry('scim'), [], appEnv(port), 60_000);
      expect(finished.code).toBe(78);
      expect(finished.stderr).toContain(
        `scim: port ${port} (SCIM_PORT) is already in use: is another gateway running? Stop it, or set SCIM_PORT to another port`,
      );
      expect(finished.stderr).not.toContain('EADDRINUSE');
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('logs a refused sign-in as one line with its reason, without a stack', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [distEntry('oidc')], {
      env: appEnv(port, { LOG_LEVEL: 'info' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = collect(child);
    try {
      await waitFor200(`http://127.0.0.1:${port}/health/ready`, 60_000);
      const refused = await fetch(`http://127.0.0.1:${port}/auth/login?tenant=no-such-tenant`, { redirect: 'manual' });
      expect(refused.status).toBe(404);
      await eventually(() => output.stdout().includes('sign-in refused'));
    } finally {
      await stop(child);
    }
    const refusals = output
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((record) => String(record.msg).startsWith('sign-in refused'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ level: 40, reason: expect.any(String), reference: expect.any(String) });
    expect(refusals[0]).not.toHaveProperty('err');
    expect(output.stdout()).not.toMatch(/\\n\s+at /);
  });

  // JSON lines are gathered 4 KiB at a time: an exit, a crash's included, must still write every one, in order.
  it.each([
    ['exits at once', 'process.exit(3)'],
    ['throws', "setImmediate(() => { throw new Error('boom') })"],
  ])('writes every JSON line, in order, when the process %s', async (_case, ending) => {
    const logging = join(__dirname, '..', '..', 'dist', 'libs', 'platform', 'src', 'logging', 'logging.module.js');
    const script = `
      const pino = require('pino');
      require(${JSON.stringify(logging)}).loggerParams({ logLevel: 'info', logFormat: 'json' }).then((params) => {
        const [options, stream] = params.pinoHttp;
        const logger = pino(options, stream);
        for (let n = 0; n < 3000; n++) logger.info({ n, text: n % 7 === 0 ? 'café ✓' : 'plain' }, 'numbered');
        ${ending};
      });`;
    const finished = await runNode('-e', [script], childEnv({}), 30_000);
    expect(finished.code).not.toBe(0);
    const numbered = finished.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { n?: number; msg?: string })
      .filter((record) => record.msg === 'numbered');
    expect(numbered.map((record) => record.n)).toEqual(Array.from({ length: 3000 }, (_, n) => n));
  });
});
