import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { Socket } from 'node:net';
import { childEnv, collect, distEntry, freePort, waitFor200 } from '../support/processes';
import { TestDatabase, createTestDatabase } from '../support/test-database';
import { TEST_REDIS_URL } from '../support/test-environment';

/** Keep-alive connections sending requests back to back, as a load generator does. */
const CONNECTIONS = 24;
/** SIGTERM comes once this many requests were answered: the load is well under way. */
const ANSWERED_BEFORE_SIGTERM = 300;
/** A bound on the whole run, whatever happens. */
const MOST_REQUESTS_PER_CONNECTION = 2000;

interface Outcome {
  readonly status?: number;
  readonly connection?: string;
  readonly error?: string;
  /** Whether the socket had carried an answer before: the server had accepted that connection. */
  readonly acceptedSocket: boolean;
  readonly afterSigterm: boolean;
}

/**
 * SIGTERM under load: the app stops accepting, answers every request on the
 * connections it accepted (or 503 with `Connection: close` for one arriving
 * after closing began), and only then closes: no connection it accepted is reset.
 */
describe('graceful drain under load', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('answers every request on accepted keep-alive connections through a SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [distEntry('scim')], {
      env: childEnv({
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        SCIM_PORT: String(port),
        ADMIN_TOKEN: `gwa_${randomBytes(24).toString('base64url')}`,
        SECRETS_KEY: randomBytes(32).toString('hex'),
        LOG_LEVEL: 'warn',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = collect(child);
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    await waitFor200(`http://127.0.0.1:${port}/health/ready`, 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${output.stderr()}\n${output.stdout()}`);
    });

    const outcomes: Outcome[] = [];
    const answeredSockets = new WeakSet<Socket>();
    let signalled = false;
    let answered = 0;
    let sigterm: () => void = () => undefined;
    const sigtermSent = new Promise<void>((resolve) => (sigterm = resolve));

    const once = (agent: Agent): Promise<Outcome> =>
      new Promise((resolve) => {
        const afterSigterm = signalled;
        let socket: Socket | undefined;
        // The readiness check reads PostgreSQL: a request in flight needs the database until it is answered.
        const req = request({ host: '127.0.0.1', port, path: '/health/ready', agent, timeout: 30_000 }, (res) => {
          res.resume();
          res.on('end', () => {
            const acceptedSocket = socket !== undefined && answeredSockets.has(socket);
            if (socket) answeredSockets.add(socket);
            resolve({ status: res.statusCode, connection: res.headers.connection, acceptedSocket, afterSigterm });
          });
          res.on('error', (error: NodeJS.ErrnoException) =>
            resolve({ error: error.code ?? error.message, acceptedSocket: true, afterSigterm }),
          );
        });
        req.on('socket', (s: Socket) => (socket = s));
        req.on('timeout', () => req.destroy(new Error('timed out')));
        req.on('error', (error: NodeJS.ErrnoException) =>
          resolve({
            error: error.code ?? error.message,
            acceptedSocket: socket !== undefined && answeredSockets.has(socket),
            afterSigterm,
          }),
        );
        req.end();
      });

    const connection = async (): Promise<void> => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (let i = 0; i < MOST_REQUESTS_PER_CONNECTION; i++) {
          const outcome = await once(agent);
          outcomes.push(outcome);
          if (outcome.status !== undefined && ++answered === ANSWERED_BEFORE_SIGTERM) sigterm();
          // The server is gone: nothing listens any more.
          if (outcome.error === 'ECONNREFUSED') return;
        }
      } finally {
        agent.destroy();
      }
    };
    const load = Promise.all(Array.from({ length: CONNECTIONS }, () => connection()));
    await sigtermSent;
    signalled = true;
    child.kill('SIGTERM');
    await load;
    const end = await exited;

    const failures = outcomes.filter((o) => o.error !== undefined && o.acceptedSocket);
    expect(failures).toEqual([]);
    const answers = outcomes.filter((o) => o.status !== undefined);
    for (const answer of answers) {
      if (answer.status === 503) expect(answer.connection).toBe('close');
      else expect(answer.status).toBe(200);
    }
    // The load went on through the signal; the connections ended once the server stopped listening.
    expect(answers.filter((o) => o.afterSigterm).length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.error === 'ECONNREFUSED').length).toBe(CONNECTIONS);
    expect(end).toEqual({ code: null, signal: 'SIGTERM' });
    expect(output.stderr()).not.toMatch(/error/i);
  }, 180_000);
});
