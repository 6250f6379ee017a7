import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { loadConfig } from '@app/platform';
import { PORTAL_SCOPE } from '../../apps/oidc/src/admin/portal-scope.decorator';
import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { adminRequests } from '../support/admin-requests';
import { HttpBrowser } from '../support/http-browser';
import { SignInGateway, startSignInGateway } from '../support/sign-in-gateway';
import { TestApp, startTestApp } from '../support/test-app';

/** What a browser-like request answers. */
interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
  readonly text: string;
}

interface CallOptions {
  readonly cookie?: string;
  readonly csrf?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** A route the app's controllers declare, and the portal scope it is marked with. */
interface DeclaredRoute {
  readonly method: string;
  readonly pattern: string;
  readonly portalScope: string | undefined;
}

const ALL_SCOPES = ['oidc', 'scim', 'domains', 'roles', 'logs'];
const AUTH_FAILURES = 3;

/**
 * The setup portal's and the console's ways into the admin API: setup links (created,
 * listed, revoked, opened once), the portal session a link opens and what its scopes let
 * it do in its own tenant only, CSRF tokens on every change a cookie authenticates, the
 * console session by admin token or by an operator's sign-in, and who the audit log names.
 */
describe('setup portal and console access', () => {
  let gw: SignInGateway;
  let operatorId: string;

  beforeAll(async () => {
    gw = await startSignInGateway({
      accounts: [
        { sub: '00u-ann', email: 'ann@acme.example', name: 'Ann' },
        { sub: '00u-gus', email: 'gus@globex.example', name: 'Gus' },
        { sub: '00u-olga', email: 'olga@ops.example', name: 'Olga' },
      ],
      config: { operatorsTenant: 'ops', rateLimits: { ...loadConfig({}).rateLimits, authFailures: AUTH_FAILURES } },
    });
    await gw.tenant('acme');
    await gw.tenant('globex');
    await gw.tenant('ops');
    operatorId = createHash('sha256').update(gw.config.adminToken).digest('hex').slice(0, 16);
  });
  afterAll(() => gw?.close());

  async function call(method: string, path: string, options: CallOptions = {}): Promise<Answer> {
    const response = await fetch(`${gw.publicUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(options.cookie ? { cookie: options.cookie } : {}),
        ...(options.csrf ? { 'x-csrf-token': options.csrf } : {}),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, headers: response.headers, body, text };
  }

  /** The `name=value` pairs of a response's Set-Cookie headers, for the Cookie header of the next request. */
  function cookieOf(answer: Answer, name: string): string | undefined {
    const header = answer.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`));
    return header?.split(';')[0];
  }

  /** Every route of the OIDC app's controllers, read from Nest's metadata. */
  function declaredRoutes(): DeclaredRoute[] {
    const routes: DeclaredRoute[] = [];
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
          const portalScope = (Reflect.getMetadata(PORTAL_SCOPE, handler) ??
            Reflect.getMetadata(PORTAL_SCOPE, controller)) as string | undefined;
          for (const base of bases) {
            for (const path of [paths].flat()) {
              const pattern = `/${[base, path]
                .map((part) => part.replace(/^\/+|\/+$/g, ''))
                .filter(Boolean)
                .join('/')}`;
              routes.push({ method: RequestMethod[method], pattern, portalScope });
            }
          }
        }
      }
    }
    return routes;
  }

  const secretOf = (url: string): string => new URL(url).pathname.split('/').pop()!;

  async function createLink(slug: string, body: Record<string, unknown> = {}) {
    const created = await gw.admin.post(`/admin/v1/tenants/${slug}/setup-links`, body);
    expect(created.status).toBe(201);
    return created.body as { id: string; url: string; expiresAt: string; scopes: string[]; email: string | null };
  }

  /** Opens a new link of `slug` and returns the portal's cookie and CSRF token. */
  async function portal(slug: string, body: Record<string, unknown> = {}) {
    const link = await createLink(slug, body);
    const opened = await call('GET', new URL(link.url).pathname);
    expect(opened.status).toBe(302);
    const cookie = cookieOf(opened, 'gw_portal')!;
    const session = await call('GET', '/portal/api/session', { cookie });
    expect(session.status).toBe(200);
    return { link, cookie, csrf: session.body.csrfToken as string };
  }

  const links = () =>
    gw.db.query<Record<string, unknown>>(
      'SELECT id, tenant_id, secret_hash, scopes, email, expires_at, used_at, revoked_at FROM setup_links ORDER BY id',
    );

  async function latestAudit() {
    const response = await gw.admin.get('/admin/v1/audit?limit=1');
    return response.body.entries[0] as { action: string; actor: { type: string; id: string; label: string | null } };
  }

  async function signIn(login: string, tenant: string): Promise<string> {
    const browser = new HttpBrowser();
    const returnTo = `https://app.${tenant}.example/home`;
    const done = await gw.signIn(
      browser,
      `${gw.publicUrl}/auth/login?tenant=${tenant}&return_to=${encodeURIComponent(returnTo)}`,
      login,
    );
    expect(done.location).toBe(returnTo);
    return browser.cookies.header(new URL(gw.publicUrl))!;
  }

  /** Signs in from a gateway URL and follows the redirects back; the cookies and where it ended. */
  async function signInAt(path: string, login: string): Promise<{ cookie: string; url: string }> {
    const browser = new HttpBrowser();
    const done = await gw.signIn(browser, `${gw.publicUrl}${path}`, login);
    return { cookie: browser.cookies.header(new URL(gw.publicUrl))!, url: done.url };
  }

  async function grantRoles(slug: string, userName: string, roles: string[]): Promise<string> {
    const users = (await gw.admin.get(`/admin/v1/tenants/${slug}/users`)).body.users as {
      id: string;
      userName: string;
    }[];
    const id = users.find((user) => user.userName === userName)!.id;
    expect((await gw.admin.put(`/admin/v1/tenants/${slug}/users/${id}/roles`, { roles })).status).toBe(200);
    return id;
  }

  describe('setup links', () => {
    it('creates a link with the defaults, lists it without its secret, and keeps only its hash', async () => {
      const before = Date.now();
      const link = await createLink('acme');
      expect(link).toEqual({
        id: expect.any(String),
        url: expect.stringMatching(new RegExp(`^${gw.publicUrl}/setup/[A-Za-z0-9_-]{43}$`)),
        expiresAt: expect.any(String),
        scopes: ALL_SCOPES,
        email: null,
      });
      const ttl = new Date(link.expiresAt).getTime() - before;
      expect(ttl).toBeGreaterThan(72 * 3600_000 - 60_000);
      expect(ttl).toBeLessThan(72 * 3600_000 + 60_000);

      const listed = await gw.admin.get('/admin/v1/tenants/acme/setup-links');
      expect(listed.status).toBe(200);
      expect(listed.body.data.find((item: { id: string }) => item.id === link.id)).toEqual({
        id: link.id,
        status: 'active',
        scopes: ALL_SCOPES,
        email: null,
        createdAt: expect.any(String),
        expiresAt: link.expiresAt,
        usedAt: null,
        revokedAt: null,
        createdBy: `operator:${operatorId}`,
      });
      const secret = secretOf(link.url);
      expect(JSON.stringify(listed.body)).not.toContain(secret);
      const [row] = await gw.db.query<{ secret_hash: Buffer; whole: string }>(
        `SELECT secret_hash, row_to_json(l)::text AS whole FROM setup_links l WHERE id = $1`,
        [link.id],
      );
      expect(row.secret_hash.equals(createHash('sha256').update(secret).digest())).toBe(true);
      expect(row.whole).not.toContain(secret);
      // Nor does the audit log keep it, though the answer it records carried it.
      const audit = await gw.db.query<{ t: string }>(`SELECT string_agg(a::text, ' ') AS t FROM audit_log a`);
      expect(audit[0].t).not.toContain(secret);
    });

    it('takes scopes, a lifetime from 1 to 168 hours and an email', async () => {
      const short = await createLink('acme', { scopes: ['scim', 'oidc'], ttlHours: 1, email: 'it@acme.example' });
      expect(short).toMatchObject({ scopes: ['oidc', 'scim'], email: 'it@acme.example' });
      expect(Math.abs(new Date(short.expiresAt).getTime() - Date.now() - 3600_000)).toBeLessThan(60_000);
      const long = await createLink('acme', { ttlHours: 168 });
      expect(Math.abs(new Date(long.expiresAt).getTime() - Date.now() - 168 * 3600_000)).toBeLessThan(60_000);
    });

    it.each([
      ['an unknown scope', { scopes: ['admin'] }, 'scopes'],
      ['no scope at all', { scopes: [] }, 'scopes'],
      ['scopes that are not a list', { scopes: 'oidc' }, 'scopes'],
      ['a lifetime of 0 hours', { ttlHours: 0 }, 'ttlHours'],
      ['a lifetime over 168 hours', { ttlHours: 169 }, 'ttlHours'],
      ['a fractional lifetime', { ttlHours: 1.5 }, 'ttlHours'],
      ['a lifetime as text', { ttlHours: '72' }, 'ttlHours'],
      ['an email that is not one', { email: 'not-an-email' }, 'email'],
      ['an unknown field', { tenant: 'globex' }, 'tenant'],
    ])('refuses %s with 400, creating nothing', async (_case, body, field) => {
      const before = await links();
      const response = await gw.admin.post('/admin/v1/tenants/acme/setup-links', body);
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'invalid_request' });
      expect(response.body.error.message).toContain(field);
      expect(await links()).toEqual(before);
    });

    it('answers 404 for an unknown tenant', async () => {
      expect((await gw.admin.post('/admin/v1/tenants/nope/setup-links', {})).status).toBe(404);
      expect((await gw.admin.get('/admin/v1/tenants/nope/setup-links')).status).toBe(404);
    });

    it("revokes a link (204), and only the tenant's own", async () => {
      const link = await createLink('acme');
      const before = await links();
      expect((await gw.admin.delete(`/admin/v1/tenants/globex/setup-links/${link.id}`)).status).toBe(404);
      expect((await gw.admin.delete('/admin/v1/tenants/acme/setup-links/not-a-uuid')).status).toBe(404);
      expect(await links()).toEqual(before);

      expect((await gw.admin.delete(`/admin/v1/tenants/acme/setup-links/${link.id}`)).status).toBe(204);
      const listed = await gw.admin.get('/admin/v1/tenants/acme/setup-links');
      expect(listed.body.data.find((item: { id: string }) => item.id === link.id)).toMatchObject({
        status: 'revoked',
        revokedAt: expect.any(String),
      });
      // Twice is harmless.
      expect((await gw.admin.delete(`/admin/v1/tenants/acme/setup-links/${link.id}`)).status).toBe(204);
    });
  });

  describe('opening a link', () => {
    it('opens once: 302 to /portal with a portal cookie and no secret in the address', async () => {
      const link = await createLink('acme', { scopes: ['oidc', 'scim'], email: 'it@acme.example' });
      const opened = await call('GET', new URL(link.url).pathname);
      expect(opened.status).toBe(302);
      expect(opened.headers.get('location')).toBe('/portal');
      expect(opened.headers.get('cache-control')).toBe('no-store');
      expect(opened.headers.get('referrer-policy')).toBe('no-referrer');
      const setCookie = opened.headers.getSetCookie().find((cookie) => cookie.startsWith('gw_portal='))!;
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Lax/i);
      expect(setCookie).toMatch(/Path=\//);
      expect(setCookie).not.toContain(secretOf(link.url));

      const cookie = cookieOf(opened, 'gw_portal')!;
      const session = await call('GET', '/portal/api/session', { cookie });
      expect(session.status).toBe(200);
      expect(session.body).toEqual({
        tenant: { slug: 'acme', name: 'acme' },
        scopes: ['oidc', 'scim'],
        via: 'setup-link',
        csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        expiresAt: expect.any(String),
      });
      const expiresIn = new Date(session.body.expiresAt).getTime() - Date.now();
      expect(expiresIn).toBeGreaterThan(29 * 60_000);
      expect(expiresIn).toBeLessThanOrEqual(30 * 60_000);

      const listed = await gw.admin.get('/admin/v1/tenants/acme/setup-links');
      expect(listed.body.data.find((item: { id: string }) => item.id === link.id)).toMatchObject({
        status: 'used',
        usedAt: expect.any(String),
      });

      const before = await links();
      const again = await call('GET', new URL(link.url).pathname);
      expect(again.status).toBe(410);
      expect(again.headers.get('content-type')).toMatch(/^text\/html/);
      expect(again.headers.get('cache-control')).toBe('no-store');
      expect(again.headers.get('referrer-policy')).toBe('no-referrer');
      expect(again.text).toContain('already been used');
      expect(again.text).toContain('Ask for a new link');
      expect(again.headers.getSetCookie()).toEqual([]);
      expect(await links()).toEqual(before);
    });

    it('is used by exactly one of several requests at once', async () => {
      const link = await createLink('acme');
      const answers = await Promise.all(Array.from({ length: 5 }, () => call('GET', new URL(link.url).pathname)));
      expect(answers.map((answer) => answer.status).sort()).toEqual([302, 410, 410, 410, 410]);
    });

    it.each([
      ['expired', 410, 'has expired'],
      ['revoked', 410, 'was revoked'],
      ['forged', 404, 'not valid'],
    ])('answers a link that is %s with %i and a page that says why, changing nothing', async (kind, status, why) => {
      const link = await createLink('acme');
      let path = new URL(link.url).pathname;
      if (kind === 'expired') {
        await gw.db.query(`UPDATE setup_links SET expires_at = now() - interval '1 second' WHERE id = $1`, [link.id]);
      } else if (kind === 'revoked') {
        expect((await gw.admin.delete(`/admin/v1/tenants/acme/setup-links/${link.id}`)).status).toBe(204);
      } else {
        const secret = secretOf(link.url);
        path = `/setup/${secret.slice(0, -2)}${secret.endsWith('xx') ? 'yy' : 'xx'}`;
      }
      const before = await links();
      const answer = await call('GET', path);
      expect(answer.status).toBe(status);
      expect(answer.text).toContain(why);
      // The way in that needs no link: the portal's page, where administrators sign in.
      expect(answer.text).toMatch(/<a href="\/portal">Administrators of their organization [^<]+<\/a>/);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.headers.getSetCookie()).toEqual([]);
      expect(await links()).toEqual(before);
      if (kind === 'forged') {
        // The real link still opens: a wrong guess used nothing up.
        expect((await call('GET', new URL(link.url).pathname)).status).toBe(302);
      }
    });

    it('answers a secret far too long with 404, without looking it up', async () => {
      const answer = await call('GET', `/setup/${'a'.repeat(80)}`);
      expect(answer.status).toBe(404);
    });

    it('leaves the link unused on a HEAD (link checkers)', async () => {
      const link = await createLink('acme');
      expect((await call('HEAD', new URL(link.url).pathname)).status).toBe(200);
      expect((await call('GET', new URL(link.url).pathname)).status).toBe(302);
    });

    it('ends the portal session when its link is revoked', async () => {
      const { link, cookie } = await portal('acme');
      expect((await call('GET', '/admin/v1/tenants/acme', { cookie })).status).toBe(200);
      expect((await gw.admin.delete(`/admin/v1/tenants/acme/setup-links/${link.id}`)).status).toBe(204);
      const ended = await call('GET', '/portal/api/session', { cookie });
      expect(ended.status).toBe(401);
      // The page says the session has ended, and the spent cookie goes.
      expect(ended.body.ended).toBe(true);
      expect(ended.headers.getSetCookie().join()).toMatch(/gw_portal=;/);
      expect((await call('GET', '/admin/v1/tenants/acme', { cookie })).status).toBe(401);
    });

    it('ends with its tenant: a tenant made again with the same slug is not opened by it', async () => {
      expect((await gw.admin.post('/admin/v1/tenants', { slug: 'shortlived', name: 'Short-lived' })).status).toBe(201);
      const { cookie } = await portal('shortlived');
      expect((await gw.admin.delete('/admin/v1/tenants/shortlived')).status).toBe(204);
      expect((await gw.admin.post('/admin/v1/tenants', { slug: 'shortlived', name: 'Another' })).status).toBe(201);
      expect((await call('GET', '/portal/api/session', { cookie })).status).toBe(401);
      expect((await call('GET', '/admin/v1/tenants/shortlived', { cookie })).status).toBe(401);
    });

    it('is left with DELETE /portal/api/session and its CSRF token', async () => {
      const { cookie, csrf } = await portal('acme');
      const refused = await call('DELETE', '/portal/api/session', { cookie });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('csrf');
      expect((await call('GET', '/portal/api/session', { cookie })).status).toBe(200);
      const left = await call('DELETE', '/portal/api/session', { cookie, csrf });
      expect(left.status).toBe(204);
      expect(left.headers.getSetCookie().join()).toMatch(/gw_portal=;/);
      expect((await call('GET', '/portal/api/session', { cookie })).status).toBe(401);
    });

    it('replaces the portal session of a browser that opens another link', async () => {
      const first = await portal('acme');
      const second = await createLink('globex');
      const opened = await call('GET', new URL(second.url).pathname, { cookie: first.cookie });
      expect(opened.status).toBe(302);
      expect((await call('GET', '/portal/api/session', { cookie: first.cookie })).status).toBe(401);
      const session = await call('GET', '/portal/api/session', { cookie: cookieOf(opened, 'gw_portal') });
      expect(session.body.tenant.slug).toBe('globex');
    });

    it("answers 401 for the portal session without a cookie or with a forged one, offering an administrator's sign-in", async () => {
      const none = await call('GET', '/portal/api/session');
      expect(none.status).toBe(401);
      expect(none.body).toEqual({
        error: { code: 'unauthorized', message: expect.any(String) },
        ended: false,
        signIn: { url: `/auth/login?return_to=${encodeURIComponent(`${gw.publicUrl}/portal`)}` },
      });
      const forged = await call('GET', '/portal/api/session', { cookie: 'gw_portal=forged' });
      expect(forged.status).toBe(401);
      expect(forged.body.error.code).toBe('unauthorized');
    });
  });

  describe('what a portal session may do', () => {
    it('uses the routes of the scopes it holds, and no other', async () => {
      const { cookie } = await portal('acme', { scopes: ['oidc'] });
      expect((await call('GET', '/admin/v1/tenants/acme', { cookie })).status).toBe(200);
      expect((await call('GET', '/admin/v1/tenants/acme/oidc', { cookie })).status).toBe(200);
      for (const path of [
        '/admin/v1/tenants/acme/scim-tokens',
        '/admin/v1/tenants/acme/users',
        '/admin/v1/tenants/acme/group-roles',
        '/admin/v1/tenants/acme/scim-requests',
        '/admin/v1/tenants/acme/audit',
      ]) {
        const refused = await call('GET', path, { cookie });
        expect({ path, status: refused.status }).toEqual({ path, status: 403 });
      }
    });

    it('cannot issue a SCIM token without the scim scope, and changes nothing trying', async () => {
      const { cookie, csrf } = await portal('acme', { scopes: ['oidc', 'logs'] });
      const count = async () => (await gw.db.query(`SELECT count(*)::int AS n FROM scim_tokens`))[0].n as number;
      const before = await count();
      const refused = await call('POST', '/admin/v1/tenants/acme/scim-tokens', { cookie, csrf, body: {} });
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toContain('"scim"');
      expect(await count()).toBe(before);
    });

    it("reads and changes nothing of another tenant, nor the operator's routes: 403 on every one", async () => {
      const { cookie, csrf } = await portal('acme');
      const state = async () => ({
        tokens: await gw.db.query(`SELECT id, revoked_at FROM scim_tokens ORDER BY id`),
        links: await links(),
        rules: await gw.db.query(`SELECT * FROM group_role_rules ORDER BY tenant_id, position`),
        users: await gw.db.query(`SELECT id, roles, teams FROM users ORDER BY id`),
      });
      const before = await state();
      const routes = declaredRoutes().filter(({ pattern }) => pattern.startsWith('/admin/v1/'));
      // The portal's routes are found, not listed: a route added later is covered too.
      expect(routes.filter((route) => route.portalScope !== undefined).length).toBeGreaterThan(15);
      const globexToken = (await gw.admin.get('/admin/v1/tenants/globex/scim-tokens')).body.tokens[0].id as string;
      for (const route of routes) {
        // Another tenant's routes, every one; of its own tenant, those the portal does not open.
        const slug = route.portalScope === undefined && route.pattern.includes(':slug') ? 'acme' : 'globex';
        const path = route.pattern.replace(/:([A-Za-z]+)/g, (_match, name: string) =>
          name === 'slug' ? slug : name === 'id' && route.pattern.includes('scim-tokens') ? globexToken : name,
        );
        const body = ['GET', 'DELETE'].includes(route.method) ? undefined : {};
        const answer = await call(route.method, path, { cookie, csrf, body });
        expect({ route: `${route.method} ${path}`, status: answer.status }).toEqual({
          route: `${route.method} ${path}`,
          status: 403,
        });
      }
      expect(await state()).toEqual(before);
      expect((await gw.admin.get('/admin/v1/tenants/globex')).status).toBe(200);
    });

    it('needs its CSRF token for every change; a bearer needs none', async () => {
      const { link, cookie, csrf } = await portal('acme', { scopes: ['scim'], email: 'it@acme.example' });
      const count = async () => (await gw.db.query(`SELECT count(*)::int AS n FROM scim_tokens`))[0].n as number;
      const before = await count();
      const url = '/admin/v1/tenants/acme/scim-tokens';
      const missing = await call('POST', url, { cookie, body: {} });
      expect(missing.status).toBe(403);
      expect(missing.body.error).toEqual({ code: 'csrf', message: expect.stringContaining('x-csrf-token') });
      // One character changed (never "changed" to itself: 1 in 64 tokens ends with A).
      const altered = `${csrf.slice(0, -1)}${csrf.endsWith('A') ? 'B' : 'A'}`;
      const wrong = await call('POST', url, { cookie, csrf: altered, body: {} });
      expect(wrong.status).toBe(403);
      expect(wrong.body.error.code).toBe('csrf');
      // Another session's token does not do either.
      const other = await portal('acme', { scopes: ['scim'] });
      expect((await call('POST', url, { cookie, csrf: other.csrf, body: {} })).status).toBe(403);
      expect(await count()).toBe(before);
      // Reading needs none.
      expect((await call('GET', url, { cookie })).status).toBe(200);

      const issued = await call('POST', url, { cookie, csrf, body: {} });
      expect(issued.status).toBe(201);
      expect(await count()).toBe(before + 1);
      expect(await latestAudit()).toMatchObject({
        action: 'scim-tokens.issue',
        actor: { type: 'setup_link', id: link.id, label: 'it@acme.example' },
      });

      const revoked = await call('DELETE', `${url}/${issued.body.id}`, { cookie, csrf });
      expect(revoked.status).toBe(204);
      // The bearer token is no cookie: no CSRF token.
      expect((await gw.admin.post(url, {})).status).toBe(201);
    });

    it('names a link without an email "setup link" in the audit log', async () => {
      const { link, cookie, csrf } = await portal('acme', { scopes: ['roles'] });
      const saved = await call('PUT', '/admin/v1/tenants/acme/group-roles', { cookie, csrf, body: { rules: [] } });
      expect(saved.status).toBe(200);
      expect(await latestAudit()).toMatchObject({
        action: 'group-roles.replace',
        actor: { type: 'setup_link', id: link.id, label: 'setup link' },
      });
    });
  });

  describe('the console', () => {
    const wrongFrom = (address: string, adminToken: string) =>
      gw.oidc.inject({
        method: 'POST',
        url: '/console/api/session',
        remoteAddress: address,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ adminToken }),
      });

    it('refuses a wrong admin token with 401, and counts it as a failed authentication', async () => {
      for (let i = 0; i < AUTH_FAILURES; i++) {
        const refused = await wrongFrom('198.51.100.7', `wrong-token-${i}`);
        expect(refused.statusCode).toBe(401);
        expect(refused.headers['set-cookie']).toBeUndefined();
      }
      expect((await wrongFrom('198.51.100.7', 'wrong-again')).statusCode).toBe(429);
      // Only failures count: the right token from that address still opens the console.
      expect((await wrongFrom('198.51.100.7', gw.config.adminToken)).statusCode).toBe(201);
      expect((await call('POST', '/console/api/session', { body: {} })).status).toBe(400);
    });

    it('exchanges the admin token for a session that acts as the operator, with CSRF on changes', async () => {
      const started = await call('POST', '/console/api/session', { body: { adminToken: gw.config.adminToken } });
      expect(started.status).toBe(201);
      const setCookie = started.headers.getSetCookie().find((cookie) => cookie.startsWith('gw_console='))!;
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Strict/i);
      expect(setCookie).not.toContain(gw.config.adminToken);
      expect(started.body).toEqual({
        kind: 'operator',
        via: 'admin-token',
        label: 'console',
        csrfToken: expect.any(String),
        expiresAt: expect.any(String),
      });
      const cookie = cookieOf(started, 'gw_console')!;
      const current = await call('GET', '/console/api/session', { cookie });
      expect(current.status).toBe(200);
      expect(current.body).toEqual(started.body);
      const csrf = current.body.csrfToken as string;

      expect((await call('GET', '/admin/v1/tenants', { cookie })).status).toBe(200);
      expect((await call('GET', '/admin/v1/overview', { cookie })).status).toBe(200);
      const missing = await call('POST', '/admin/v1/tenants', { cookie, body: { slug: 'initech', name: 'Initech' } });
      expect(missing.status).toBe(403);
      expect(missing.body.error.code).toBe('csrf');
      expect((await gw.admin.get('/admin/v1/tenants/initech')).status).toBe(404);
      const made = await call('POST', '/admin/v1/tenants', {
        cookie,
        csrf,
        body: { slug: 'initech', name: 'Initech' },
      });
      expect(made.status).toBe(201);
      expect(await latestAudit()).toMatchObject({
        action: 'tenants.create',
        actor: { type: 'operator', id: operatorId, label: 'console' },
      });
      const link = await call('POST', '/admin/v1/tenants/initech/setup-links', { cookie, csrf, body: {} });
      expect(link.status).toBe(201);

      expect((await call('DELETE', '/console/api/session', { cookie })).status).toBe(403);
      expect((await call('GET', '/console/api/session', { cookie })).status).toBe(200);
      const ended = await call('DELETE', '/console/api/session', { cookie, csrf });
      expect(ended.status).toBe(204);
      expect(ended.headers.getSetCookie().join()).toMatch(/gw_console=;/);
      expect((await call('GET', '/console/api/session', { cookie })).status).toBe(401);
      expect((await call('GET', '/admin/v1/tenants', { cookie })).status).toBe(401);
    });

    it('lets a member of the operators tenant with the role operator in by signing in', async () => {
      const signInAnswer = await call('GET', '/console/api/sign-in');
      expect(signInAnswer.status).toBe(200);
      const signInUrl = signInAnswer.body.signInUrl as string;
      expect(signInUrl).toBe(`/auth/login?tenant=ops&return_to=${encodeURIComponent(`${gw.publicUrl}/console`)}`);
      const signedIn = await signInAt(signInUrl, 'olga@ops.example');
      expect(signedIn.url).toBe(`${gw.publicUrl}/console`);
      const olga = signedIn.cookie;
      const notYet = await call('GET', '/console/api/session', { cookie: olga });
      expect(notYet.status).toBe(401);
      // The console's sign-in page says who is signed in and what is missing; the same sign-in is not offered again.
      expect(notYet.body).toEqual({
        error: {
          code: 'unauthorized',
          message:
            'This account does not have the role "operator" in ops. Ask an operator to grant it (in this console: ops, Users), then reload this page.',
        },
        signedIn: { userName: 'olga@ops.example', tenant: { slug: 'ops', name: 'ops' } },
      });
      // Without a sign-in, it offers the operators' sign-in.
      expect((await call('GET', '/console/api/session')).body).toEqual({
        error: { code: 'unauthorized', message: 'not signed in to the console' },
        signIn: { url: signInUrl, label: 'ops' },
      });
      expect((await call('GET', '/admin/v1/tenants', { cookie: olga })).status).toBe(401);
      const olgaId = await grantRoles('ops', 'olga@ops.example', ['operator']);

      const session = await call('GET', '/console/api/session', { cookie: olga });
      expect(session.status).toBe(200);
      expect(session.body).toEqual({
        kind: 'operator',
        via: 'sign-in',
        label: 'olga@ops.example',
        csrfToken: expect.any(String),
        expiresAt: expect.any(String),
      });
      expect((await call('GET', '/admin/v1/tenants/globex/scim-tokens', { cookie: olga })).status).toBe(200);
      const csrf = session.body.csrfToken as string;
      expect((await call('PATCH', '/admin/v1/tenants/globex', { cookie: olga, body: { name: 'G' } })).status).toBe(403);
      const changed = await call('PATCH', '/admin/v1/tenants/globex', { cookie: olga, csrf, body: { name: 'Globex' } });
      expect(changed.status).toBe(200);
      expect(await latestAudit()).toMatchObject({
        action: 'tenants.update',
        actor: { type: 'operator', id: olgaId, label: 'olga@ops.example' },
      });

      // The role taken away: out at once.
      await grantRoles('ops', 'olga@ops.example', []);
      expect((await call('GET', '/console/api/session', { cookie: olga })).status).toBe(401);
      expect((await call('GET', '/admin/v1/tenants', { cookie: olga })).status).toBe(401);
    });

    it('does not make the role operator in any other tenant an operator', async () => {
      const gus = await signIn('gus@globex.example', 'globex');
      await grantRoles('globex', 'gus@globex.example', ['operator']);
      const refused = await call('GET', '/console/api/session', { cookie: gus });
      expect(refused.status).toBe(401);
      expect(refused.body).toEqual({
        error: {
          code: 'unauthorized',
          message: 'Only members of ops with the role "operator" open this console.',
        },
        signIn: { url: expect.stringContaining('/auth/login?tenant=ops'), label: 'ops' },
        // Renamed "Globex" by the operator above.
        signedIn: { userName: 'gus@globex.example', tenant: { slug: 'globex', name: 'Globex' } },
      });
      expect((await call('GET', '/admin/v1/tenants', { cookie: gus })).status).toBe(401);
      expect((await call('GET', '/admin/v1/tenants/globex/scim-tokens', { cookie: gus })).status).toBe(403);
    });
  });

  describe("a tenant's signed-in administrator", () => {
    it.each([
      ['a query', '/portal?next=https://evil.example'],
      ['another page', '/portals'],
      ['a fragment', '/console#x'],
      ['another origin', 'https://evil.example/portal'],
    ])('cannot be sent back to the gateway with %s after signing in', async (_case, page) => {
      const target = page.startsWith('/') ? `${gw.publicUrl}${page}` : page;
      const answer = await call('GET', `/auth/login?tenant=acme&return_to=${encodeURIComponent(target)}`);
      expect(answer.status).toBe(400);
    });

    it('opens the portal of their own tenant, with every scope, and nothing of another', async () => {
      const returnTo = encodeURIComponent(`${gw.publicUrl}/portal`);
      const signedIn = await signInAt(
        `/auth/login?login_hint=ann@acme.example&return_to=${returnTo}`,
        'ann@acme.example',
      );
      expect(signedIn.url).toBe(`${gw.publicUrl}/portal`);
      const ann = signedIn.cookie;
      // Signed in, but not an administrator: 403 naming who is signed in, and nothing opens.
      const notAdmin = await call('GET', '/portal/api/session', { cookie: ann });
      expect(notAdmin.status).toBe(403);
      expect(notAdmin.body).toEqual({
        error: {
          code: 'not_tenant_admin',
          message: expect.stringContaining('ann@acme.example is not an administrator'),
        },
        signedIn: { userName: 'ann@acme.example', tenant: { slug: 'acme', name: expect.any(String) } },
      });
      expect((await call('GET', '/admin/v1/tenants/acme/scim-tokens', { cookie: ann })).status).toBe(403);
      const annId = await grantRoles('acme', 'ann@acme.example', ['admin']);
      const session = await call('GET', '/portal/api/session', { cookie: ann });
      expect(session.status).toBe(200);
      expect(session.body).toMatchObject({ tenant: { slug: 'acme' }, scopes: ALL_SCOPES, via: 'sign-in' });
      const csrf = session.body.csrfToken as string;

      for (const path of ['scim-tokens', 'oidc', 'users', 'group-roles', 'scim-requests', 'audit']) {
        const answer = await call('GET', `/admin/v1/tenants/acme/${path}`, { cookie: ann });
        expect({ path, status: answer.status }).toEqual({ path, status: 200 });
      }
      expect((await call('GET', '/admin/v1/tenants/globex/scim-tokens', { cookie: ann })).status).toBe(403);
      expect((await call('GET', '/admin/v1/tenants/acme/setup-links', { cookie: ann })).status).toBe(401);

      const url = '/admin/v1/tenants/acme/scim-tokens';
      expect((await call('POST', url, { cookie: ann, body: {} })).status).toBe(403);
      expect((await call('POST', url, { cookie: ann, csrf, body: {} })).status).toBe(201);
      expect(await latestAudit()).toMatchObject({
        action: 'scim-tokens.issue',
        actor: { type: 'user', id: annId, label: 'ann@acme.example' },
      });
    });
  });

  describe('without an operators tenant', () => {
    let app: TestApp;
    const logged: string[] = [];
    beforeAll(async () => {
      const logDestination = new Writable({
        write(chunk: Buffer, _encoding, done) {
          logged.push(chunk.toString());
          done();
        },
      });
      app = await startTestApp(createOidcApp, { logLevel: 'info', logDestination });
    });
    afterAll(() => app?.close());

    it('offers no sign-in on the console: only the admin token opens it', async () => {
      const offer = await app.app.inject({ method: 'GET', url: '/console/api/sign-in' });
      expect(JSON.parse(offer.body)).toEqual({ signInUrl: null });
      const session = await app.app.inject({ method: 'GET', url: '/console/api/session' });
      expect(session.statusCode).toBe(401);
      expect(JSON.parse(session.body)).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    });

    it("never logs a link's secret, opened or refused", async () => {
      const admin = adminRequests(app.app, app.config.adminToken);
      expect((await admin.post('/admin/v1/tenants', { slug: 'acme', name: 'Acme' })).status).toBe(201);
      const created = await admin.post('/admin/v1/tenants/acme/setup-links', {});
      const path = new URL(created.body.url as string).pathname;
      expect((await app.app.inject({ method: 'GET', url: path })).statusCode).toBe(302);
      expect((await app.app.inject({ method: 'GET', url: path })).statusCode).toBe(410);
      expect((await app.app.inject({ method: 'GET', url: `${path}x` })).statusCode).toBe(404);
      const text = logged.join('');
      expect(text).toContain('/setup/[redacted]');
      expect(text).not.toContain(path.split('/').pop());
    });
  });
});
