import { AuditLogService } from '@app/identity/audit/audit-log.service';
import { RequestLogService } from '@app/identity/request-log/request-log.service';
import { PruneRecordsProcessor } from '../../apps/worker/src/maintenance/prune-records.processor';
import { HttpBrowser } from '../support/http-browser';
import { childEnv, distEntry, runNode } from '../support/processes';
import { USER_SCHEMA } from '../support/scim-client';
import { SignInGateway, SignInTenant, startSignInGateway } from '../support/sign-in-gateway';

interface ScimRequestEntry {
  id: string;
  occurredAt: string;
  method: string;
  path: string;
  status: number;
  scimType: string | null;
  durationMs: number;
  userAgent: string | null;
  detail: string | null;
  tokenId: string | null;
}

const OKTA = 'Okta SCIM Client 1.0.0';
const PASSWORD = 'Very-Secret-Passw0rd!';

/**
 * Each tenant's SCIM requests and refused sign-ins, as its operators read them: what the IdP
 * sent and was answered, never a query string or a body; written off the request.
 */
describe('the SCIM request log and refused sign-ins', () => {
  let gw: SignInGateway;
  let acme: SignInTenant;
  let globex: SignInTenant;

  beforeAll(async () => {
    gw = await startSignInGateway({
      accounts: [
        { sub: '00u-ann', email: 'ann@acme.example', name: 'Ann' },
        { sub: '00u-stranger', email: 'stranger@globex.example', name: 'Stranger' },
      ],
    });
    acme = await gw.tenant('acme');
    globex = await gw.tenant('globex', { signIn: 'provisioned-only' });
  });
  afterAll(() => gw?.close());

  const scimLog = () => gw.scim.get(RequestLogService, { strict: false });
  const oidcLog = () => gw.oidc.get(RequestLogService, { strict: false });
  const rowCount = async (table: string) =>
    Number((await gw.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0].n);

  async function requests(
    slug: string,
    query = '',
  ): Promise<{ entries: ScimRequestEntry[]; nextCursor: string | null }> {
    const response = await gw.admin.get(`/admin/v1/tenants/${slug}/scim-requests${query}`);
    expect(response.status).toBe(200);
    return response.body;
  }

  const okta = { 'user-agent': OKTA };

  it('records each SCIM request with its route and id, status, scimType, duration and user agent', async () => {
    const created = await acme.send(
      'POST',
      '/scim/v2/Users',
      { schemas: [USER_SCHEMA], userName: 'alice@acme.example', password: PASSWORD },
      okta,
    );
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(
      (
        await acme.send(
          'GET',
          `/scim/v2/Users?filter=${encodeURIComponent('userName eq "alice@acme.example"')}`,
          undefined,
          okta,
        )
      ).status,
    ).toBe(200);
    expect((await acme.send('GET', `/scim/v2/Users/${id}`, undefined, okta)).status).toBe(200);
    const duplicate = await acme.send(
      'POST',
      '/scim/v2/Users',
      { schemas: [USER_SCHEMA], userName: 'alice@acme.example', password: PASSWORD },
      okta,
    );
    expect(duplicate.status).toBe(409);
    expect((await acme.send('GET', '/scim/v2/Users?filter=userName%20zz%20%22x%22', undefined, okta)).status).toBe(400);
    await scimLog().flush();

    const { entries } = await requests('acme');
    expect(entries.slice(0, 5).map((entry) => [entry.method, entry.path, entry.status, entry.scimType])).toEqual([
      ['GET', '/scim/v2/Users', 400, 'invalidFilter'],
      ['POST', '/scim/v2/Users', 409, 'uniqueness'],
      ['GET', `/scim/v2/Users/${id}`, 200, null],
      ['GET', '/scim/v2/Users', 200, null],
      ['POST', '/scim/v2/Users', 201, null],
    ]);
    for (const entry of entries.slice(0, 5)) {
      expect(entry.userAgent).toBe(OKTA);
      expect(entry.durationMs).toBeGreaterThanOrEqual(0);
      expect(entry.tokenId).toEqual(expect.any(String));
      expect(new Date(entry.occurredAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    }
    expect(entries[0].detail).toEqual(expect.any(String));
    expect(entries[1].detail).toBe('userName "…" is already taken');
    expect(entries[2].detail).toBeNull();

    // Neither the query string (a user name in a filter) nor a body (the password) is kept.
    const text = (
      await gw.db.query<{ t: string }>(`SELECT coalesce(string_agg(r::text, ' '), '') AS t FROM scim_request_log r`)
    )[0].t;
    expect(text).not.toContain('?');
    expect(text).not.toContain('filter');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('alice@acme.example');
  });

  it("keeps each tenant's requests to itself, and records none without a valid token", async () => {
    expect((await globex.send('GET', '/scim/v2/Groups', undefined, { 'user-agent': 'Entra' })).status).toBe(200);
    await scimLog().flush();
    const before = await rowCount('scim_request_log');
    expect((await acme.send('GET', '/scim/v2/Users', undefined, { authorization: 'Bearer not-a-token' })).status).toBe(
      401,
    );
    expect((await acme.send('GET', '/scim/v2/Users', undefined, { authorization: '' })).status).toBe(401);
    await scimLog().flush();
    expect(await rowCount('scim_request_log')).toBe(before);

    const globexEntries = (await requests('globex')).entries;
    expect(globexEntries.map((entry) => [entry.path, entry.userAgent])).toEqual([['/scim/v2/Groups', 'Entra']]);
    expect((await requests('acme')).entries.some((entry) => entry.path === '/scim/v2/Groups')).toBe(false);
  });

  it('writes off the request: a request is answered before its row is written, and the row follows within seconds', async () => {
    const before = await rowCount('scim_request_log');
    expect((await acme.send('GET', '/scim/v2/ServiceProviderConfig', undefined, okta)).status).toBe(200);
    const deadline = Date.now() + 10_000;
    while ((await rowCount('scim_request_log')) === before) {
      if (Date.now() > deadline) throw new Error('the request was not recorded within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await requests('acme', '?limit=1')).entries[0].path).toBe('/scim/v2/ServiceProviderConfig');
  });

  it('filters by status code or class, and pages newest first with after', async () => {
    expect((await requests('acme', '?status=4xx')).entries.map((entry) => entry.status)).toEqual([400, 409]);
    expect((await requests('acme', '?status=409')).entries.map((entry) => entry.scimType)).toEqual(['uniqueness']);
    expect((await requests('acme', '?status=5xx')).entries).toEqual([]);

    const all = (await requests('acme', '?limit=200')).entries;
    const paged: ScimRequestEntry[] = [];
    let after: string | null = null;
    do {
      const page = await requests('acme', `?limit=2${after ? `&after=${after}` : ''}`);
      expect(page.entries.length).toBeLessThanOrEqual(2);
      paged.push(...page.entries);
      after = page.nextCursor;
    } while (after !== null);
    expect(paged).toEqual(all);
    expect(all.length).toBeGreaterThanOrEqual(6);
  });

  it.each([
    ['?status=abc', 'status'],
    ['?status=600', 'status'],
    ['?after=x', 'after'],
    ['?limit=0', 'limit'],
    ['?limit=201', 'limit'],
    ['?filter=x', 'filter'],
  ])('answers scim-requests%s with 400 naming %s', async (query, name) => {
    const response = await gw.admin.get(`/admin/v1/tenants/acme/scim-requests${query}`);
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain(name);
  });

  it('answers 404 for an unknown tenant, and 401 without the admin token', async () => {
    expect((await gw.admin.get('/admin/v1/tenants/nope/scim-requests')).status).toBe(404);
    expect((await gw.admin.get('/admin/v1/tenants/nope/sign-in-failures')).status).toBe(404);
    expect((await gw.admin.send('GET', '/admin/v1/tenants/acme/scim-requests', undefined, {})).status).toBe(401);
    expect((await gw.admin.get('/admin/v1/tenants/acme/sign-in-failures?after=0')).status).toBe(400);
  });

  it('records a refused sign-in with its reason, for its tenant only', async () => {
    const browser = new HttpBrowser();
    const refused = await gw.signIn(
      browser,
      `${gw.publicUrl}/auth/login?tenant=globex&return_to=${encodeURIComponent('https://app.globex.example/home')}`,
      'stranger@globex.example',
    );
    expect(refused.status).toBe(403);
    // A login naming no tenant that exists belongs to none.
    expect((await new HttpBrowser().get(`${gw.publicUrl}/auth/login?tenant=umbrella`)).status).toBe(404);
    await oidcLog().flush();

    const response = await gw.admin.get('/admin/v1/tenants/globex/sign-in-failures');
    expect(response.status).toBe(200);
    expect(response.body.nextCursor).toBeNull();
    expect(response.body.entries).toEqual([
      {
        id: expect.any(String),
        occurredAt: expect.any(String),
        status: 403,
        reason: expect.stringMatching(/not given you access yet/),
        detail: null,
        ip: expect.any(String),
        userAgent: expect.any(String),
        // The gateway's own sign-in: no product.
        clientId: null,
      },
    ]);
    expect((await gw.admin.get('/admin/v1/tenants/acme/sign-in-failures')).body).toEqual({
      entries: [],
      nextCursor: null,
    });
    expect(await rowCount('sign_in_failures')).toBe(1);
  });

  it('records a login refused because the tenant has no IdP connected yet, for that tenant', async () => {
    expect((await gw.admin.post('/admin/v1/tenants', { slug: 'initech', name: 'Initech' })).status).toBe(201);
    const page = await new HttpBrowser().get(`${gw.publicUrl}/auth/login?tenant=initech`);
    expect(page.status).toBe(404);
    await oidcLog().flush();
    const response = await gw.admin.get('/admin/v1/tenants/initech/sign-in-failures');
    expect(response.body.entries).toEqual([
      expect.objectContaining({ status: 404, reason: expect.stringMatching(/^Sign-in is not set up for Initech yet/) }),
    ]);
  });

  it('keeps requests and refused sign-ins for SCIM_REQUEST_LOG_RETENTION_DAYS: the worker prunes older ones', async () => {
    await gw.db.query(
      `INSERT INTO scim_request_log (tenant_id, occurred_at, method, path, status, duration_ms)
       VALUES ($1, now() - interval '31 days', 'GET', '/scim/v2/old', 200, 1),
              ($1, now() - interval '29 days', 'GET', '/scim/v2/kept', 200, 1)`,
      [acme.id],
    );
    await gw.db.query(
      `INSERT INTO sign_in_failures (tenant_id, occurred_at, status, reason)
       VALUES ($1, now() - interval '31 days', 403, 'old'), ($1, now() - interval '29 days', 403, 'kept')`,
      [acme.id],
    );
    await new PruneRecordsProcessor(gw.oidc.get(AuditLogService, { strict: false }), oidcLog(), {
      auditRetentionDays: 365,
      scimRequestLogRetentionDays: 30,
    }).process();
    expect(
      await gw.db.query(`SELECT path FROM scim_request_log WHERE path IN ('/scim/v2/old', '/scim/v2/kept')`),
    ).toEqual([{ path: '/scim/v2/kept' }]);
    expect(await gw.db.query(`SELECT reason FROM sign_in_failures WHERE reason IN ('old', 'kept')`)).toEqual([
      { reason: 'kept' },
    ]);
  });

  it('prints both logs and the audit log through the CLI', async () => {
    const cli = (...args: string[]) =>
      runNode(distEntry('cli'), args, childEnv({ PUBLIC_URL: gw.publicUrl, ADMIN_TOKEN: gw.config.adminToken }));
    const requested = await cli('tenants', 'scim-requests', 'acme', '--status', '4xx');
    expect(requested.code).toBe(0);
    expect(requested.stdout).toMatch(/POST\s+\/scim\/v2\/Users\s+409\s+uniqueness/);
    expect(requested.stdout).toContain(OKTA);
    expect(requested.stdout).not.toMatch(/\s200\s/);

    const failures = await cli('--json', 'tenants', 'sign-in-failures', 'globex');
    expect(failures.code).toBe(0);
    expect(JSON.parse(failures.stdout)).toMatchObject({ entries: [{ status: 403 }], nextCursor: null });

    const audit = await cli('audit', 'list', '--tenant', 'globex', '--limit', '1');
    expect(audit.code).toBe(0);
    expect(audit.stdout).toMatch(/operator:[0-9a-f]{16}\s+globex\s+oidc-connection\.put\s+200/);
    expect(audit.stdout).toMatch(/more: --after \d+/);

    const refused = await cli('tenants', 'scim-requests', 'acme', '--status', 'nope');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('status');
  });

  it('goes with its tenant when the tenant is deleted', async () => {
    expect(await rowCount('scim_request_log')).toBeGreaterThan(0);
    expect((await gw.admin.delete('/admin/v1/tenants/globex')).status).toBe(204);
    expect(await gw.db.query('SELECT 1 FROM scim_request_log WHERE tenant_id = $1', [globex.id])).toEqual([]);
    expect(await gw.db.query('SELECT 1 FROM sign_in_failures WHERE tenant_id = $1', [globex.id])).toEqual([]);
  });

  it('drops and counts rows it cannot write, serving SCIM all the same, and writes again once it can', async () => {
    const dropped = async () => {
      const metrics = await gw.scim.inject({ method: 'GET', url: '/metrics' });
      const line = /^gateway_request_log_dropped_total\{log="scim_request_log"\} (\d+)$/m.exec(metrics.body);
      return line ? Number(line[1]) : 0;
    };
    const before = await dropped();
    await gw.db.query('ALTER TABLE scim_request_log RENAME TO scim_request_log_away');
    try {
      expect((await acme.send('GET', '/scim/v2/Schemas', undefined, okta)).status).toBe(200);
      expect((await acme.send('GET', '/scim/v2/Schemas', undefined, okta)).status).toBe(200);
      await scimLog().flush();
      expect(await dropped()).toBe(before + 2);
    } finally {
      await gw.db.query('ALTER TABLE scim_request_log_away RENAME TO scim_request_log');
    }
    expect((await acme.send('GET', '/scim/v2/ResourceTypes', undefined, okta)).status).toBe(200);
    await scimLog().flush();
    expect((await requests('acme', '?limit=1')).entries[0].path).toBe('/scim/v2/ResourceTypes');
    expect(await dropped()).toBe(before + 2);
  });

  it('writes what it holds when the app stops', async () => {
    const before = await rowCount('scim_request_log');
    expect((await acme.send('GET', '/scim/v2/ResourceTypes', undefined, okta)).status).toBe(200);
    await scimLog().onApplicationShutdown();
    expect(await rowCount('scim_request_log')).toBe(before + 1);
  });
});
