import { createHash, randomUUID } from 'node:crypto';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { AuditLogService } from '@app/identity/audit/audit-log.service';
import { RequestLogService } from '@app/identity/request-log/request-log.service';
import { PruneRecordsProcessor } from '../../apps/worker/src/maintenance/prune-records.processor';
import { HttpBrowser } from '../support/http-browser';
import { SignInGateway, SignInTenant, startSignInGateway } from '../support/sign-in-gateway';

interface Route {
  readonly method: string;
  readonly pattern: string;
}

interface Entry {
  id: string;
  occurredAt: string;
  actor: { type: string; id: string; label: string | null };
  tenant: { id: string | null; slug: string } | null;
  action: string;
  method: string;
  route: string;
  target: Record<string, string>;
  status: number;
  request: unknown;
  before: unknown;
  after: unknown;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Every route the app's controllers declare, read from Nest's metadata: a new one is found without a list. */
function declaredRoutes(gw: SignInGateway): Route[] {
  const routes: Route[] = [];
  for (const module of gw.oidc.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller) continue;
      const bases = [Reflect.getMetadata(PATH_METADATA, controller) as string | string[]].flat();
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (method === undefined || paths === undefined) continue;
        for (const base of bases) {
          for (const path of [paths].flat()) {
            const pattern = `/${[base, path]
              .map((part) => part.replace(/^\/+|\/+$/g, ''))
              .filter(Boolean)
              .join('/')}`;
            routes.push({ method: RequestMethod[method], pattern });
          }
        }
      }
    }
  }
  return routes;
}

describe('the audit log of admin actions', () => {
  let gw: SignInGateway;
  let acme: SignInTenant;
  let globex: SignInTenant;
  let operatorId: string;

  beforeAll(async () => {
    gw = await startSignInGateway({
      accounts: [
        { sub: '00u-ann', email: 'ann@acme.example', name: 'Ann' },
        { sub: '00u-ben', email: 'ben@acme.example', name: 'Ben' },
        { sub: '00u-gus', email: 'gus@globex.example', name: 'Gus' },
      ],
    });
    acme = await gw.tenant('acme');
    globex = await gw.tenant('globex');
    operatorId = createHash('sha256').update(gw.config.adminToken).digest('hex').slice(0, 16);
  });
  afterAll(() => gw?.close());

  const auditRows = async () => Number((await gw.db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log'))[0].n);
  const allText = async () =>
    (await gw.db.query<{ t: string }>(`SELECT coalesce(string_agg(a::text, ' '), '') AS t FROM audit_log a`))[0].t;
  const latest = async (query = '') => {
    const response = await gw.admin.get(`/admin/v1/audit?limit=1${query}`);
    expect(response.status).toBe(200);
    return response.body.entries[0] as Entry;
  };

  async function signIn(login: string, tenant: string): Promise<HttpBrowser> {
    const browser = new HttpBrowser();
    const returnTo = `https://app.${tenant}.example/home`;
    const done = await gw.signIn(
      browser,
      `${gw.publicUrl}/auth/login?tenant=${tenant}&return_to=${encodeURIComponent(returnTo)}`,
      login,
    );
    expect(done.location).toBe(returnTo);
    return browser;
  }

  async function asSession(browser: HttpBrowser, method: string, path: string, body?: unknown) {
    const cookie = browser.cookies.header(new URL(gw.publicUrl))!;
    // A change made with the session cookie carries the session's CSRF token.
    const portal = method === 'GET' ? undefined : await browser.get(`${gw.publicUrl}/portal/api/session`);
    const csrf = portal ? (JSON.parse(portal.body) as { csrfToken: string }).csrfToken : undefined;
    const response = await fetch(`${gw.publicUrl}${path}`, {
      method,
      headers: {
        cookie,
        ...(csrf ? { 'x-csrf-token': csrf } : {}),
        'user-agent': 'portal-test',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  }

  it('records every state-changing admin route, each with its route, actor, tenant and status', async () => {
    const routes = declaredRoutes(gw).filter(
      (route) => route.pattern.startsWith('/admin/v1/') && STATE_CHANGING.has(route.method),
    );
    // The routes this test knows exist at least: the enumeration is not empty by accident.
    for (const known of [
      'POST /admin/v1/tenants',
      'PUT /admin/v1/tenants/:slug/oidc',
      'POST /admin/v1/clients/:clientId/secret',
      'POST /admin/v1/subscriptions/:id/replay',
      'POST /admin/v1/subscriptions/:id/test',
      'DELETE /admin/v1/tenants/:slug/users/:id/sessions',
    ]) {
      expect(routes.map((route) => `${route.method} ${route.pattern}`)).toContain(known);
    }
    let n = 0;
    for (const route of routes) {
      // A tenant of its own per route, so that a deletion takes nothing from the next case.
      const slug = `probe-${++n}`;
      expect((await gw.admin.post('/admin/v1/tenants', { slug, name: slug })).status).toBe(201);
      const tenantId = (await gw.admin.get(`/admin/v1/tenants/${slug}`)).body.id as string;
      const params: Record<string, string> = {};
      const url = route.pattern.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
        params[name] = name === 'slug' ? slug : randomUUID();
        return params[name];
      });
      const response = await gw.admin.send(route.method as 'POST', url, {});
      const entry = await latest();
      const label = `${route.method} ${route.pattern} (answered ${response.status})`;
      expect({ label, route: entry.route, method: entry.method }).toEqual({
        label,
        route: route.pattern,
        method: route.method,
      });
      expect(entry.status).toBe(response.status);
      expect(entry.actor).toEqual({ type: 'operator', id: operatorId, label: null });
      expect(entry.target).toEqual(params);
      expect(entry.action).toMatch(/^[a-z-]+\.[a-z-]+$/);
      expect(entry.requestId).toEqual(expect.any(String));
      if (params.slug) expect(entry.tenant).toEqual({ id: tenantId, slug });
    }
  });

  it('records a tenant created, changed and deleted, with before and after', async () => {
    const created = await gw.admin.post('/admin/v1/tenants', { slug: 'initech', name: 'Initech' });
    expect(created.status).toBe(201);
    const creation = await latest();
    expect(creation).toMatchObject({
      action: 'tenants.create',
      method: 'POST',
      route: '/admin/v1/tenants',
      status: 201,
      tenant: { id: created.body.id, slug: 'initech' },
      request: { slug: 'initech', name: 'Initech' },
      before: null,
      after: { id: created.body.id, slug: 'initech', name: 'Initech' },
    });
    expect(new Date(creation.occurredAt).getTime()).toBeGreaterThan(Date.now() - 60_000);

    expect((await gw.admin.patch('/admin/v1/tenants/initech', { name: 'Initech Corp' })).status).toBe(200);
    expect(await latest()).toMatchObject({
      action: 'tenants.update',
      target: { slug: 'initech' },
      before: { name: 'Initech' },
      after: { name: 'Initech Corp' },
    });

    expect((await gw.admin.delete('/admin/v1/tenants/initech')).status).toBe(204);
    const deletion = await latest();
    expect(deletion).toMatchObject({
      action: 'tenants.delete',
      status: 204,
      tenant: { id: created.body.id, slug: 'initech' },
      before: { name: 'Initech Corp' },
      after: null,
    });
    // Entries outlive their tenant, and stay readable by its slug.
    const bySlug = await gw.admin.get('/admin/v1/audit?tenant=initech');
    expect(bySlug.body.entries.map((entry: Entry) => entry.action)).toEqual([
      'tenants.delete',
      'tenants.update',
      'tenants.create',
    ]);
  });

  it('records a refused action with its status, and changes nothing else', async () => {
    const taken = await gw.admin.post('/admin/v1/tenants', { slug: 'acme', name: 'Again' });
    expect(taken.status).toBe(409);
    expect(await latest()).toMatchObject({ action: 'tenants.create', status: 409, after: null, tenant: null });
  });

  it('never records a secret: shown-once secrets in responses, secrets in request bodies, the admin token', async () => {
    const secrets: string[] = [gw.config.adminToken];
    const token = await gw.admin.post('/admin/v1/tenants/acme/scim-tokens', {});
    expect(token.status).toBe(201);
    secrets.push(token.body.token as string);
    expect(await latest()).toMatchObject({
      action: 'scim-tokens.issue',
      tenant: { slug: 'acme' },
      after: { id: token.body.id, token: '[redacted]' },
    });

    const webhook = await gw.admin.post('/admin/v1/subscriptions', {
      name: 'audit-hook',
      url: 'http://127.0.0.1:9/hook',
      events: ['user.*'],
      tenant: 'globex',
    });
    expect(webhook.status).toBe(201);
    secrets.push(webhook.body.secret as string);
    expect(await latest()).toMatchObject({
      action: 'subscriptions.create',
      tenant: { id: globex.id, slug: 'globex' },
      after: { id: webhook.body.id, secret: '[redacted]' },
    });

    const client = await gw.admin.post('/admin/v1/clients', {
      name: 'Audit product',
      redirectUris: ['https://product.example/callback'],
    });
    expect(client.status).toBe(201);
    secrets.push(client.body.clientSecret as string);
    const rotated = await gw.admin.post(`/admin/v1/clients/${client.body.clientId}/secret`);
    expect(rotated.status).toBe(200);
    secrets.push(rotated.body.clientSecret as string);
    expect(await latest()).toMatchObject({
      action: 'clients.rotate-secret',
      tenant: null,
      target: { clientId: client.body.clientId },
      after: { clientId: client.body.clientId, clientSecret: '[redacted]' },
    });

    // The connection's secret goes in with the request; before and after show the connection without it.
    const before = (await gw.admin.get('/admin/v1/tenants/acme/oidc')).body;
    const newSecret = `rotated-${randomUUID()}`;
    secrets.push(newSecret, acme.clientSecret);
    const put = await gw.admin.put('/admin/v1/tenants/acme/oidc', {
      issuer: gw.idp.issuer,
      clientId: acme.clientId,
      clientSecret: newSecret,
      scopes: ['openid', 'profile', 'email', 'groups'],
      groupsClaim: 'groups',
      allowedReturnUrls: ['https://app.acme.example/home'],
    });
    expect(put.status).toBe(200);
    const connection = await latest();
    expect(connection).toMatchObject({
      action: 'oidc-connection.put',
      request: { clientId: acme.clientId, clientSecret: '[redacted]' },
      before: { clientId: acme.clientId, allowedReturnUrls: before.allowedReturnUrls },
      after: { allowedReturnUrls: ['https://app.acme.example/home'] },
    });
    // Put back what the sign-in tests below need.
    await gw.admin.put('/admin/v1/tenants/acme/oidc', {
      issuer: gw.idp.issuer,
      clientId: acme.clientId,
      clientSecret: acme.clientSecret,
      scopes: ['openid', 'profile', 'email', 'groups'],
      groupsClaim: 'groups',
      allowedReturnUrls: ['https://app.acme.example/home'],
    });

    const text = await allText();
    for (const secret of secrets) expect(text).not.toContain(secret);
  });

  it("lets a tenant admin read their own tenant's audit, with their own actions under their name", async () => {
    const ann = await signIn('ann@acme.example', 'acme');
    const ben = await signIn('ben@acme.example', 'acme');
    const gus = await signIn('gus@globex.example', 'globex');
    const users = (await gw.admin.get('/admin/v1/tenants/acme/users')).body.users as { id: string; userName: string }[];
    const annId = users.find((user) => user.userName === 'ann@acme.example')!.id;
    const benId = users.find((user) => user.userName === 'ben@acme.example')!.id;
    expect((await asSession(ann, 'GET', '/admin/v1/tenants/acme/audit')).status).toBe(403);

    expect((await gw.admin.put(`/admin/v1/tenants/acme/users/${annId}/roles`, { roles: ['admin'] })).status).toBe(200);
    const granted = await latest();
    expect(granted).toMatchObject({
      action: 'tenant-users.set-roles',
      actor: { type: 'operator', id: operatorId },
      target: { slug: 'acme', id: annId },
      before: { roles: [] },
      after: { roles: ['admin'] },
    });

    const changed = await asSession(ann, 'PUT', `/admin/v1/tenants/acme/users/${benId}/roles`, { roles: ['editor'] });
    expect(changed.status).toBe(200);
    const own = await asSession(ann, 'GET', '/admin/v1/tenants/acme/audit?limit=5');
    expect(own.status).toBe(200);
    expect(own.body.entries[0]).toMatchObject({
      action: 'tenant-users.set-roles',
      actor: { type: 'user', id: annId, label: 'ann@acme.example' },
      tenant: { id: acme.id, slug: 'acme' },
      target: { slug: 'acme', id: benId },
      before: { roles: [] },
      after: { roles: ['editor'] },
      userAgent: 'portal-test',
    });
    const everything = await asSession(ann, 'GET', '/admin/v1/tenants/acme/audit?limit=200');
    expect(everything.body.entries.length).toBeGreaterThan(3);
    expect(everything.body.entries.every((entry: Entry) => entry.tenant?.id === acme.id)).toBe(true);

    // By actor: the user's own entries only.
    const byAnn = await asSession(ann, 'GET', `/admin/v1/tenants/acme/audit?actor=user:${annId}`);
    expect(byAnn.body.entries.map((entry: Entry) => entry.target.id)).toEqual([benId]);

    // Nothing else: another tenant's audit, the operator's whole log; nor another tenant's admin.
    expect((await asSession(ann, 'GET', '/admin/v1/tenants/globex/audit')).status).toBe(403);
    expect((await asSession(ann, 'GET', '/admin/v1/audit')).status).toBe(401);
    expect((await asSession(ann, 'GET', '/admin/v1/tenants/acme/setup-links')).status).toBe(401);
    expect((await asSession(ben, 'GET', '/admin/v1/tenants/acme/audit')).status).toBe(403);
    expect((await asSession(gus, 'GET', '/admin/v1/tenants/acme/audit')).status).toBe(403);
  });

  it('filters by tenant and actor, and pages newest first with after', async () => {
    const all: Entry[] = [];
    let after: string | null = null;
    do {
      const page: { status: number; body: { entries: Entry[]; nextCursor: string | null } } = await gw.admin.get(
        `/admin/v1/audit?tenant=globex&limit=2${after ? `&after=${after}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.entries.length).toBeLessThanOrEqual(2);
      all.push(...page.body.entries);
      after = page.body.nextCursor;
    } while (after !== null);
    const ids = all.map((entry) => BigInt(entry.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
    expect(new Set(ids).size).toBe(ids.length);
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(all.every((entry) => entry.tenant?.slug === 'globex')).toBe(true);
    const unfiltered = await gw.admin.get('/admin/v1/audit?limit=200');
    expect(unfiltered.body.entries.filter((entry: Entry) => entry.tenant?.slug === 'globex')).toEqual(
      all.slice(0, unfiltered.body.entries.filter((entry: Entry) => entry.tenant?.slug === 'globex').length),
    );

    const byOperator = await gw.admin.get(`/admin/v1/audit?actor=operator:${operatorId}&limit=200`);
    expect(byOperator.body.entries.length).toBeGreaterThan(0);
    expect(byOperator.body.entries.every((entry: Entry) => entry.actor.id === operatorId)).toBe(true);
    expect((await gw.admin.get('/admin/v1/audit?actor=operator:0000000000000000')).body).toEqual({
      entries: [],
      nextCursor: null,
    });
    expect((await gw.admin.get('/admin/v1/tenants/nope/audit')).status).toBe(404);
  });

  it.each([
    ['/admin/v1/audit?after=abc', 'after'],
    ['/admin/v1/audit?after=-5', 'after'],
    ['/admin/v1/audit?limit=0', 'limit'],
    ['/admin/v1/audit?limit=1000', 'limit'],
    ['/admin/v1/audit?actor=robot:1', 'actor'],
    ['/admin/v1/audit?tenant=Not%20A%20Slug', 'tenant'],
    ['/admin/v1/audit?since=yesterday', 'since'],
    ['/admin/v1/tenants/acme/audit?tenant=globex', 'tenant'],
    ['/admin/v1/tenants/acme/audit?limit=x', 'limit'],
  ])('answers %s with 400 naming %s, and records nothing', async (url, name) => {
    const before = await auditRows();
    const response = await gw.admin.get(url);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_request');
    expect(response.body.error.message).toContain(name);
    expect(await auditRows()).toBe(before);
  });

  it('is append-only: an update is refused by the database', async () => {
    await expect(gw.db.query(`UPDATE audit_log SET action = 'tampered'`)).rejects.toThrow(/append-only/);
    expect(await gw.db.query(`SELECT 1 FROM audit_log WHERE action = 'tampered'`)).toEqual([]);
  });

  it('keeps entries for AUDIT_RETENTION_DAYS: the worker prunes older ones', async () => {
    await gw.db.query(
      `INSERT INTO audit_log (occurred_at, actor_type, actor_id, action, method, route, status)
       VALUES (now() - interval '400 days', 'operator', 'old', 'tenants.create', 'POST', '/admin/v1/tenants', 201),
              (now() - interval '300 days', 'operator', 'kept', 'tenants.create', 'POST', '/admin/v1/tenants', 201)`,
    );
    const before = await auditRows();
    const prune = new PruneRecordsProcessor(
      gw.oidc.get(AuditLogService, { strict: false }),
      gw.oidc.get(RequestLogService, { strict: false }),
      { auditRetentionDays: 365, scimRequestLogRetentionDays: 30 },
    );
    await prune.process();
    expect(await auditRows()).toBe(before - 1);
    expect(await gw.db.query(`SELECT actor_id FROM audit_log WHERE actor_id IN ('old', 'kept')`)).toEqual([
      { actor_id: 'kept' },
    ]);
    // With a shorter setting, the other goes too.
    await new PruneRecordsProcessor(
      gw.oidc.get(AuditLogService, { strict: false }),
      gw.oidc.get(RequestLogService, { strict: false }),
      { auditRetentionDays: 200, scimRequestLogRetentionDays: 30 },
    ).process();
    expect(await gw.db.query(`SELECT actor_id FROM audit_log WHERE actor_id IN ('old', 'kept')`)).toEqual([]);
  });
});
