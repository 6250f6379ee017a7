import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ScimTokensService } from '@app/identity';
import { MAX_UNINDEXED_TERMS } from '@app/identity/scim/filter/filter-cost';
import { createScimApp } from '../../apps/scim/src/create-scim-app';
import { TenantLimiter } from '../../apps/scim/src/tenant-limits/tenant-limiter';
import { SPARE_SLOTS } from '../../apps/scim/src/tenant-limits/tenant-limits.module';
import {
  ERROR_SCHEMA,
  SEARCH_REQUEST_SCHEMA,
  ScimResponse,
  ScimTenant,
  createScimTenant,
  serverErrors,
  usersQuery,
} from '../support/scim-client';
import { insertUsers } from '../support/scim-groups-client';
import { TestApp, startTestApp } from '../support/test-app';
import { testConfig } from '../support/test-config';

const A_USERS = 30_000;
const LIMITS = { statementTimeoutMs: 5_000, tenantConcurrency: 4, tokenConcurrency: 3, tenantQueue: 16 };
const FLOOD = 40;

/** `attr co "…" or …`: `count` substring conditions that no index serves. */
const substringFilter = (count: number, attribute = 'displayName'): string =>
  Array.from({ length: count }, (_, i) => `${attribute} co "zz${i}"`).join(' or ');

/**
 * One tenant floods the SCIM app with costly searches over tens of thousands of users; another
 * tenant's requests still answer, promptly and correctly. Costly filters are refused before they
 * reach the database, a statement that runs too long is stopped, and nothing answers 5xx but a 503.
 */
describe('SCIM: a noisy tenant', () => {
  let gateway: TestApp;
  let a: ScimTenant;
  let b: ScimTenant;
  let bUserName: string;

  beforeAll(async () => {
    gateway = await startTestApp(createScimApp, { scimLimits: LIMITS });
    a = await createScimTenant(gateway, 'noisy');
    b = await createScimTenant(gateway, 'quiet');
    await insertUsers(gateway.db, a.id, 'noisy', A_USERS);
    await insertUsers(gateway.db, b.id, 'quiet', 20);
    bUserName = 'quiet7@bulk.test';
    await gateway.db.query('ANALYZE users');
  }, 120_000);
  afterAll(() => gateway.close());

  const expectScimError = (response: ScimResponse, status: number): void => {
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: String(status) });
  };

  it(`refuses a filter of more than ${MAX_UNINDEXED_TERMS} unindexed conditions with 400 invalidFilter naming the limit`, async () => {
    for (const response of [
      await a.send('GET', usersQuery({ filter: substringFilter(200, 'title') })),
      await a.send('POST', '/scim/v2/Users/.search', {
        schemas: [SEARCH_REQUEST_SCHEMA],
        filter: substringFilter(MAX_UNINDEXED_TERMS + 1),
      }),
      await a.send('POST', '/scim/v2/.search', {
        schemas: [SEARCH_REQUEST_SCHEMA],
        filter: substringFilter(MAX_UNINDEXED_TERMS + 1),
      }),
      await a.send('GET', `/scim/v2/Groups?filter=${encodeURIComponent(substringFilter(MAX_UNINDEXED_TERMS + 1))}`),
    ]) {
      expectScimError(response, 400);
      expect(response.body.scimType).toBe('invalidFilter');
      expect(response.body.detail).toContain(`at most ${MAX_UNINDEXED_TERMS} are accepted`);
    }
  });

  it('accepts the same conditions when an indexed equality narrows the search', async () => {
    const narrowed = `userName eq "noisy42@bulk.test" and (${substringFilter(50)})`;
    const response = await a.send('GET', usersQuery({ filter: narrowed }));
    expect(response.status).toBe(200);
    expect(response.body.totalResults).toBe(0);
    const found = await a.send(
      'GET',
      usersQuery({ filter: `userName eq "noisy42@bulk.test" and (displayName co "42" or ${substringFilter(20)})` }),
    );
    expect(found.body.totalResults).toBe(1);
  });

  it('holds the noisy tenant to its share while the other tenant answers as usual', async () => {
    const costly = usersQuery({ filter: substringFilter(MAX_UNINDEXED_TERMS), count: 5 });
    // What A holds of the database: its searches are the only statements with LIKE in them.
    let mostActive = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [{ active }] = await gateway.db.query<{ active: string }>(
          `SELECT count(*) AS active FROM pg_stat_activity
            WHERE datname = current_database() AND state = 'active' AND query LIKE '%LIKE lower%'
              AND pid <> pg_backend_pid()`,
        );
        mostActive = Math.max(mostActive, Number(active));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    // A second token of the noisy tenant (another IdP, a script): the flooding token cannot take its turns.
    const { token: secondToken } = await gateway.app.get(ScimTokensService).issue('noisy', {});
    const secondSent: { status: number; body: any }[] = [];
    const flood = Promise.all(Array.from({ length: FLOOD }, () => a.send('GET', costly)));
    // B's simple requests, one after another, while A's flood is in flight.
    const quiet: { status: number; ms: number; body: any }[] = [];
    for (let i = 0; i < 10; i++) {
      for (const url of ['/scim/v2/Users?count=1', usersQuery({ filter: `userName eq "${bUserName}"` })]) {
        const started = Date.now();
        const response = await b.send('GET', url);
        quiet.push({ status: response.status, ms: Date.now() - started, body: response.body });
      }
      if (i % 3 === 0) {
        const second = await gateway.app.inject({
          method: 'GET',
          url: '/scim/v2/Users?count=0',
          headers: { authorization: `Bearer ${secondToken}` },
        });
        secondSent.push({ status: second.statusCode, body: JSON.parse(second.body) });
      }
    }
    const flooded = await flood;
    sampling = false;
    await sampler;

    expect(secondSent).toEqual(
      Array.from({ length: 4 }, () => ({ status: 200, body: expect.objectContaining({ totalResults: A_USERS }) })),
    );
    for (const response of quiet) {
      expect(response.status).toBe(200);
      // Generous: what matters is that B never waits behind A's queue (that took 12.6 s once).
      expect(response.ms).toBeLessThan(LIMITS.statementTimeoutMs);
    }
    expect(quiet.filter((_, i) => i % 2 === 0).every((r) => r.body.totalResults === 20)).toBe(true);
    expect(quiet.filter((_, i) => i % 2 === 1).every((r) => r.body.Resources[0]?.userName === bUserName)).toBe(true);

    const statuses = flooded.map((response) => response.status);
    expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);
    // At most (its token's concurrency + its queue) of A's requests are admitted; the rest are told to come back.
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(LIMITS.tokenConcurrency);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(
      FLOOD - LIMITS.tokenConcurrency - LIMITS.tenantQueue,
    );
    for (const response of flooded.filter((r) => r.status === 429)) {
      expectScimError(response, 429);
      expect(response.headers['retry-after']).toBe('1');
      expect(response.body.detail).toMatch(/too many concurrent requests for this tenant/);
    }
    for (const response of flooded.filter((r) => r.status === 200)) expect(response.body.totalResults).toBe(0);
    expect(mostActive).toBeLessThanOrEqual(LIMITS.tokenConcurrency);
    expect(gateway.app.get(TenantLimiter).load(a.id)).toEqual({ active: 0, waiting: 0 });
  }, 120_000);

  it('lends spare slots to lookups of one user beyond the token’s share, never to searches, and keeps the other tenant’s turns', async () => {
    const [{ id }] = await gateway.db.query<{ id: string }>(
      'SELECT id FROM users WHERE tenant_id = $1 AND user_name = $2',
      [a.id, 'noisy42@bulk.test'],
    );
    const locker = new Client({ connectionString: gateway.db.url });
    await locker.connect();
    // Every statement on users waits behind this lock: what each tenant holds is what waits on it.
    const waiting = async (): Promise<number> => {
      const [row] = await gateway.db.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
      );
      return Number(row.n);
    };
    const settle = async (expected: number): Promise<number> => {
      const deadline = Date.now() + 2_000;
      while ((await waiting()) < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 150));
      return waiting();
    };
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      const searches = Array.from({ length: 6 }, () => a.send('GET', usersQuery({ filter: 'displayName co "zz"' })));
      expect(await settle(LIMITS.tokenConcurrency)).toBe(LIMITS.tokenConcurrency);
      const lookups = [
        ...Array.from({ length: 6 }, () => a.send('GET', `/scim/v2/Users/${id}`)),
        ...Array.from({ length: 6 }, () => a.send('GET', usersQuery({ filter: 'userName eq "noisy42@bulk.test"' }))),
      ];
      // The token's own turns are taken by the searches: the lookups run on spare slots, as many as there are.
      expect(await settle(LIMITS.tokenConcurrency + SPARE_SLOTS)).toBe(LIMITS.tokenConcurrency + SPARE_SLOTS);
      expect(gateway.app.get(TenantLimiter).spareInUse()).toBe(SPARE_SLOTS);
      // The other tenant's request starts on a turn of its own, spares or not.
      const quiet = b.send('GET', usersQuery({ filter: `userName eq "${bUserName}"` }));
      expect(await settle(LIMITS.tokenConcurrency + SPARE_SLOTS + 1)).toBe(LIMITS.tokenConcurrency + SPARE_SLOTS + 1);
      await locker.query('ROLLBACK');

      expect((await quiet).body.Resources[0].userName).toBe(bUserName);
      for (const response of await Promise.all(searches)) expect(response.body.totalResults).toBe(0);
      const found = await Promise.all(lookups);
      expect(found.map((response) => response.status)).toEqual(lookups.map(() => 200));
      expect(found.slice(0, 6).every((response) => response.body.id === id)).toBe(true);
      expect(found.slice(6).every((response) => response.body.Resources[0].id === id)).toBe(true);
    } finally {
      await locker.end();
    }
    expect(gateway.app.get(TenantLimiter).spareInUse()).toBe(0);
    expect(gateway.app.get(TenantLimiter).load(a.id)).toEqual({ active: 0, waiting: 0 });
  });

  it('bounds each statement of the SCIM app, and nothing else', async () => {
    const scim = await gateway.app.get(DataSource).query<[{ statement_timeout: string }]>('SHOW statement_timeout');
    expect(scim[0].statement_timeout).toBe('5s');
    // The test's own connection (like migrations, LISTEN and the other apps) has no such bound.
    const [own] = await gateway.db.query<{ statement_timeout: string }>('SHOW statement_timeout');
    expect(own.statement_timeout).toBe('0');
  });

  describe('with a statement timeout of 500 ms', () => {
    let strict: Awaited<ReturnType<typeof createScimApp>>;
    let locker: Client;

    beforeAll(async () => {
      strict = await createScimApp(testConfig(gateway.db.url, { scimLimits: { ...LIMITS, statementTimeoutMs: 500 } }));
      await strict.init();
      locker = new Client({ connectionString: gateway.db.url });
      await locker.connect();
    });
    afterAll(async () => {
      await locker.end();
      await strict.close();
    });

    const send = async (method: 'GET' | 'PATCH', url: string, body?: unknown): Promise<ScimResponse> => {
      const response = await strict.inject({
        method,
        url,
        headers: { authorization: `Bearer ${b.token}`, 'content-type': 'application/scim+json' },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
      return { status: response.statusCode, headers: response.headers, body: JSON.parse(response.body) as unknown };
    };

    it('answers a statement stopped by the timeout with 503 and Retry-After, and changes nothing', async () => {
      const [user] = await gateway.db.query<{ id: string; resource: unknown; updated_at: Date }>(
        'SELECT id, resource, updated_at FROM users WHERE tenant_id = $1 AND user_name = $2',
        [b.id, bUserName],
      );
      expect((await send('GET', `/scim/v2/Users/${user.id}`)).status).toBe(200);
      // Another transaction holds the row (and then the table): B's requests wait past the timeout.
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [user.id]);
      const patched = await send('PATCH', `/scim/v2/Users/${user.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'displayName', value: 'Changed' }],
      });
      await locker.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      const listed = await send('GET', '/scim/v2/Users?count=1');
      await locker.query('ROLLBACK');

      for (const response of [patched, listed]) {
        expectScimError(response, 503);
        expect(response.headers['retry-after']).toBe('5');
        expect(response.body.detail).toBe(
          'the database did not finish this request in the time allowed; nothing was changed, retry later',
        );
      }
      const [after] = await gateway.db.query<{ resource: unknown; updated_at: Date }>(
        'SELECT resource, updated_at FROM users WHERE id = $1',
        [user.id],
      );
      expect(after).toEqual({ resource: user.resource, updated_at: user.updated_at });
      expect((await send('GET', '/scim/v2/Users?count=1')).status).toBe(200);
    });
  });

  afterAll(() => {
    // Only the deliberate timeouts above may have answered 5xx, and only 503.
    expect(serverErrors.filter((error) => error.status !== 503)).toEqual([]);
  });
});
