import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { childEnv, collect, distEntry, freePort, waitFor200 } from '../support/processes';
import { TestDatabase, createTestDatabase } from '../support/test-database';
import { TEST_REDIS_URL } from '../support/test-environment';

/** SIGTERM lets a request already in flight finish, then the process exits cleanly. */
describe('graceful shutdown', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  // One key for every app of this file: the database keeps what it sealed (signing keys).
  const secretsKey = randomBytes(32).toString('hex');

  it('finishes an in-flight request after SIGTERM, then exits', async () => {
    const port = await freePort();
    const adminToken = `gwa_${randomBytes(24).toString('base64url')}`;
    const child = spawn(process.execPath, [distEntry('oidc')], {
      env: childEnv({
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        OIDC_PORT: String(port),
        ADMIN_TOKEN: adminToken,
        SECRETS_KEY: secretsKey,
        LOG_LEVEL: 'warn',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = collect(child);
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    await waitFor200(`http://127.0.0.1:${port}/health/live`, 30_000);

    // A request whose body is still arriving when the signal comes.
    const body = JSON.stringify({ slug: 'in-flight', name: 'In flight' });
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/admin/v1/tenants',
          headers: {
            authorization: `Bearer ${adminToken}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 500);
      }, 200);
    });

    const response = await answered;
    expect(response.status).toBe(201);
    expect(JSON.parse(response.body)).toMatchObject({ slug: 'in-flight' });
    // Nest re-raises the signal once it has closed everything, so the process ends as SIGTERM says.
    expect(await exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(output.stderr()).not.toMatch(/error/i);
    expect(await db.query(`SELECT slug FROM tenants WHERE slug = 'in-flight'`)).toHaveLength(1);
  });

  it.each([
    ['scim', 'SCIM_PORT', 1],
    ['oidc', 'OIDC_PORT', 1],
    ['worker', 'WORKER_PORT', 1],
  ] as const)('stops the %s app within seconds while Redis is away', async (app, portVariable, mostWarnings) => {
    const port = await freePort();
    const child = spawn(process.execPath, [distEntry(app)], {
      env: childEnv({
        DATABASE_URL: db.url,
        // A closed loopback port: Redis never answers.
        REDIS_URL: 'redis://127.0.0.1:1',
        [portVariable]: String(port),
        ADMIN_TOKEN: `gwa_${randomBytes(24).toString('base64url')}`,
        SECRETS_KEY: secretsKey,
        LOG_LEVEL: 'warn',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = collect(child);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await waitFor200(`http://127.0.0.1:${port}/health/live`, 30_000);
    // Let the queue workers and consumers try (and fail) to reach Redis first.
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const stoppedAt = Date.now();
    child.kill('SIGTERM');
    await exited;
    // Connections that cannot close are given up on, instead of waiting for a Redis that never comes.
    expect(Date.now() - stoppedAt).toBeLessThan(5000);
    // One warning when Redis was first missed, not one per reconnection attempt.
    const warnings = output
      .stdout()
      .split('\n')
      .filter((line) => line.includes('"level":40'));
    expect(warnings.length).toBeLessThanOrEqual(mostWarnings);
  });
});
