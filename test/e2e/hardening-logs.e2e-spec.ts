import { Writable } from 'node:stream';
import { Client } from 'pg';
import { UsersService } from '@app/identity';
import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { createScimApp } from '../../apps/scim/src/create-scim-app';
import { adminRequests } from '../support/admin-requests';
import { createScimTenant } from '../support/scim-client';
import { TestApp, startTestApp } from '../support/test-app';
import { TestDatabase } from '../support/test-database';

/** Every line an app logs, kept in memory. */
function logSink(): { stream: Writable; text: () => string; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const text = (): string => chunks.join('');
  return {
    stream,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((line) => line !== ''),
  };
}

const PASSWORD = 'Corr3ct-Horse-Battery-Staple!';
const EMAIL = 'alice.private@acme.test';
const GIVEN_NAME = 'Alicewhoisprivate';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `act` while another connection holds `LOCK TABLE table IN mode MODE`, and
 * terminates the app's connection as soon as it waits for that lock: the app's
 * statement fails as it would when PostgreSQL stops or fails over mid-request.
 */
async function withConnectionKilledAt<T>(
  db: TestDatabase,
  table: string,
  mode: string,
  act: () => Promise<T>,
): Promise<T> {
  const locker = new Client({ connectionString: db.url });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE ${table} IN ${mode} MODE`);
    const pending = act();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const waiting = await locker.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
      );
      if (waiting.rows.length > 0) {
        for (const { pid } of waiting.rows) await locker.query('SELECT pg_terminate_backend($1)', [pid]);
        break;
      }
      if (Date.now() > deadline) throw new Error(`no statement came to wait for the lock on ${table}`);
      await sleep(25);
    }
    await locker.query('ROLLBACK');
    return await pending;
  } finally {
    await locker.end();
  }
}

/**
 * Makes every write to `table` fail inside PostgreSQL with an error no handler
 * expects (a bug's 500), while the statement still carries its parameters.
 */
async function failWritesTo(db: TestDatabase, table: string): Promise<() => Promise<void>> {
  await db.query(`CREATE FUNCTION refuse_${table}() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION 'writes are refused here'; END $$`);
  await db.query(`CREATE TRIGGER refuse_${table} BEFORE INSERT OR UPDATE ON ${table}
                    FOR EACH ROW EXECUTE FUNCTION refuse_${table}()`);
  return async () => {
    await db.query(`DROP TRIGGER refuse_${table} ON ${table}`);
    await db.query(`DROP FUNCTION refuse_${table}()`);
  };
}

/** Lines at warn level or above: where a failure is reported. */
function reports(lines: readonly string[]): { level: number; msg: string; err?: Record<string, unknown> }[] {
  return lines
    .map((line) => JSON.parse(line) as { level: number; msg: string; err?: Record<string, unknown> })
    .filter((entry) => entry.level >= 40);
}

/** What must never be in a log line, whichever error path ran. */
function expectNoSecrets(logText: string, extra: readonly string[]): void {
  for (const secret of [PASSWORD, '$argon2', EMAIL, GIVEN_NAME, ...extra]) {
    expect({ secret, found: logText.includes(secret) }).toEqual({ secret, found: false });
  }
}

describe('logs on database errors hold no secret and no personal value', () => {
  describe('SCIM app', () => {
    const sink = logSink();
    let gateway: TestApp;

    beforeAll(async () => {
      gateway = await startTestApp(createScimApp, { logLevel: 'info', logDestination: sink.stream });
      // Nest holds its own lines until the app listens; these apps are only injected into.
      gateway.app.flushLogs();
    });
    afterAll(() => gateway.close());

    const newUser = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: EMAIL,
      name: { givenName: GIVEN_NAME, familyName: 'Doe' },
      emails: [{ value: EMAIL, primary: true }],
      password: PASSWORD,
    };

    it('an unexpected database error while a user with a password is written: a 500, logged without the row or its hash', async () => {
      const tenant = await createScimTenant(gateway, 'acme');
      const restore = await failWritesTo(gateway.db, 'users');
      try {
        const response = await tenant.send('POST', '/scim/v2/Users', newUser);
        expect(response.status).toBe(500);
      } finally {
        await restore();
      }
      expect((await gateway.db.query('SELECT id FROM users')).length).toBe(0);
      // The failure is logged, with what identifies it.
      const failure = reports(sink.lines()).find((entry) => entry.msg === 'unhandled error in the SCIM app');
      expect(failure?.err).toMatchObject({
        type: 'QueryFailedError',
        code: 'P0001',
        message: 'writes are refused here',
      });
      expectNoSecrets(sink.text(), [tenant.token]);
    });

    it('a connection lost while a user with a password is written: a 503, logged without the row or its hash', async () => {
      const tenant = await createScimTenant(gateway, 'lost');
      const before = reports(sink.lines()).length;
      const response = await withConnectionKilledAt(gateway.db, 'users', 'SHARE', () =>
        tenant.send('POST', '/scim/v2/Users', newUser),
      );
      expect(response.status).toBe(503);
      expect((await gateway.db.query('SELECT id FROM users')).length).toBe(0);
      expect(reports(sink.lines()).length).toBeGreaterThan(before);
      expectNoSecrets(sink.text(), [tenant.token]);
    });

    it('writes one request line for every request but the probes, without its query string', async () => {
      const tenant = await createScimTenant(gateway, 'lines');
      const before = sink.lines().length;
      await gateway.app.inject({ method: 'GET', url: `/nowhere?email=${encodeURIComponent(EMAIL)}` });
      await tenant.send('GET', `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${EMAIL}"`)}`);
      for (const url of ['/health/live', '/health/ready', '/metrics']) await gateway.app.inject({ method: 'GET', url });
      const lines = sink
        .lines()
        .slice(before)
        .map((line) => JSON.parse(line) as { msg: string; req?: { path: string }; res?: { statusCode: number } })
        .filter((entry) => entry.msg === 'request completed');
      expect(lines.map(({ req, res }) => [req?.path, res?.statusCode])).toEqual([
        ['/nowhere', 404],
        ['/scim/v2/Users', 200],
      ]);
      expectNoSecrets(sink.text(), [tenant.token]);
    });

    it('a unique-key race and values PostgreSQL refuses leave no value in a log', async () => {
      const tenant = await createScimTenant(gateway, 'race');
      const create = () =>
        tenant.send('POST', '/scim/v2/Users', {
          userName: EMAIL,
          name: { givenName: GIVEN_NAME },
          password: PASSWORD,
        });
      const statuses = (await Promise.all(Array.from({ length: 6 }, create))).map((r) => r.status).sort();
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      expect(statuses.every((status) => status === 201 || status === 409)).toBe(true);
      const tooLong = await tenant.send('POST', '/scim/v2/Users', {
        userName: `${EMAIL}${'x'.repeat(5000)}`,
        password: PASSWORD,
      });
      expect(tooLong.status).toBe(400);
      expectNoSecrets(sink.text(), [tenant.token]);
    });
  });

  describe('admin API', () => {
    const sink = logSink();
    let gateway: TestApp;
    let admin: ReturnType<typeof adminRequests>;

    beforeAll(async () => {
      gateway = await startTestApp(createOidcApp, { logLevel: 'info', logDestination: sink.stream });
      gateway.app.flushLogs();
      admin = adminRequests(gateway.app, gateway.config.adminToken);
      const created = await admin.post('/admin/v1/tenants', { slug: 'acme', name: 'Acme' });
      expect(created.status).toBe(201);
      await gateway.app
        .get(UsersService)
        .create(
          { tenantId: created.body.id as string, tenantSlug: 'acme', tokenId: 'none' },
          { userName: EMAIL, name: { givenName: GIVEN_NAME }, emails: [{ value: EMAIL }], password: PASSWORD },
        );
    });
    afterAll(() => gateway.close());

    it('an unexpected database error while a tenant is created: a 500, logged without its values', async () => {
      const restore = await failWritesTo(gateway.db, 'tenants');
      try {
        const response = await admin.post('/admin/v1/tenants', {
          slug: 'private-co',
          name: GIVEN_NAME,
          domains: ['acme-private.test'],
        });
        expect(response.status).toBe(500);
        expect(response.body).toEqual({
          error: { code: 'internal_error', message: 'internal error', requestId: expect.any(String) },
        });
      } finally {
        await restore();
      }
      const failure = reports(sink.lines()).find((entry) => entry.msg === 'unhandled error in the admin API');
      expect(failure?.err).toMatchObject({ type: 'QueryFailedError', code: 'P0001' });
      expectNoSecrets(sink.text(), [gateway.config.adminToken, 'acme-private.test']);
    });

    it('a connection lost during a search by email: a 503, logged without the search term', async () => {
      const response = await withConnectionKilledAt(gateway.db, 'users', 'ACCESS EXCLUSIVE', () =>
        admin.get(`/admin/v1/tenants/acme/users?q=${encodeURIComponent(EMAIL)}`),
      );
      expect(response.status).toBe(503);
      expectNoSecrets(sink.text(), [gateway.config.adminToken]);
    });

    it('a connection lost while a tenant is created: a 503, and nothing of it in a log', async () => {
      const response = await withConnectionKilledAt(gateway.db, 'tenants', 'SHARE', () =>
        admin.post('/admin/v1/tenants', { slug: 'private-co', name: GIVEN_NAME, domains: ['acme-private.test'] }),
      );
      expect(response.status).toBe(503);
      expect((await gateway.db.query("SELECT id FROM tenants WHERE slug = 'private-co'")).length).toBe(0);
      expectNoSecrets(sink.text(), [gateway.config.adminToken, 'acme-private.test']);
    });
  });
});
