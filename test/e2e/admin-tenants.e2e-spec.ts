import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { adminRequests } from '../support/admin-requests';
import { TestApp, startTestApp } from '../support/test-app';

describe('admin API: tenants', () => {
  let gateway: TestApp;
  let admin: ReturnType<typeof adminRequests>;

  beforeAll(async () => {
    gateway = await startTestApp(createOidcApp);
    admin = adminRequests(gateway.app, gateway.config.adminToken);
  });
  afterAll(() => gateway.close());

  const tenantCount = async (): Promise<number> => (await admin.get('/admin/v1/tenants')).body.tenants.length;

  describe('authentication', () => {
    it.each([
      ['no Authorization header', {}],
      ['a wrong token', { authorization: 'Bearer gwa_not-the-token-at-all-000000' }],
      ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
      ['an empty bearer', { authorization: 'Bearer ' }],
    ])('refuses %s with 401 and a JSON error', async (_case, headers: Record<string, string>) => {
      const response = await admin.send('GET', '/admin/v1/tenants', undefined, headers);
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    });

    it('refuses a write with a wrong token and changes nothing', async () => {
      const before = await tenantCount();
      const response = await admin.send(
        'POST',
        '/admin/v1/tenants',
        { slug: 'sneaky', name: 'Sneaky' },
        {
          authorization: 'Bearer wrong-token-wrong-token-wrong',
        },
      );
      expect(response.status).toBe(401);
      expect(await tenantCount()).toBe(before);
    });

    it('accepts the scheme in any case (RFC 7235)', async () => {
      const response = await admin.send('GET', '/admin/v1/tenants', undefined, {
        authorization: `bearer ${gateway.config.adminToken}`,
      });
      expect(response.status).toBe(200);
    });
  });

  describe('create', () => {
    it('creates a tenant and returns its setup values built from the public URLs', async () => {
      const response = await admin.post('/admin/v1/tenants', {
        slug: 'acme',
        name: 'Acme Corp',
        domains: ['Acme.com', 'acme.io', 'acme.com'],
        signIn: 'provisioned-only',
      });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        slug: 'acme',
        name: 'Acme Corp',
        domains: ['acme.com', 'acme.io'],
        signIn: 'provisioned-only',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        setup: {
          scimBaseUrl: 'https://scim.gateway.test/scim/v2',
          signInRedirectUri: 'https://login.gateway.test/auth/callback',
          signOutRedirectUri: 'https://login.gateway.test/auth/logged-out/acme',
          initiateLoginUri: 'https://login.gateway.test/auth/login?tenant=acme',
        },
      });
    });

    it('defaults domains to none and sign-in to jit', async () => {
      const response = await admin.post('/admin/v1/tenants', { slug: 'plain-co', name: 'Plain' });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ domains: [], signIn: 'jit' });
    });

    it('refuses a taken slug with 409 and changes nothing', async () => {
      await admin.post('/admin/v1/tenants', { slug: 'taken', name: 'First' });
      const before = await tenantCount();
      const response = await admin.post('/admin/v1/tenants', { slug: 'taken', name: 'Second' });
      expect(response.status).toBe(409);
      expect(response.body.error.code).toBe('conflict');
      expect(await tenantCount()).toBe(before);
      expect((await admin.get('/admin/v1/tenants/taken')).body.name).toBe('First');
    });

    it('refuses a domain that belongs to another tenant with 409', async () => {
      await admin.post('/admin/v1/tenants', { slug: 'owner', name: 'Owner', domains: ['owned.example'] });
      const before = await tenantCount();
      const response = await admin.post('/admin/v1/tenants', {
        slug: 'thief',
        name: 'Thief',
        domains: ['OWNED.example'],
      });
      expect(response.status).toBe(409);
      expect(response.body.error.message).toContain('owned.example');
      expect(await tenantCount()).toBe(before);
    });

    it.each([
      ['an uppercase slug', { slug: 'Acme', name: 'x' }, 'slug'],
      ['a slug with a space', { slug: 'ac me', name: 'x' }, 'slug'],
      ['a slug ending with a dash', { slug: 'acme-', name: 'x' }, 'slug'],
      ['a slug starting with a dash', { slug: '-acme', name: 'x' }, 'slug'],
      ['a slug with an underscore', { slug: 'ac_me', name: 'x' }, 'slug'],
      ['an empty slug', { slug: '', name: 'x' }, 'slug'],
      ['a 64-character slug', { slug: 'a'.repeat(64), name: 'x' }, 'slug'],
      ['a numeric slug value', { slug: 42, name: 'x' }, 'slug'],
      ['no slug', { name: 'x' }, 'slug'],
      ['no name', { slug: 'no-name' }, 'name'],
      ['a blank name', { slug: 'blank-name', name: '   ' }, 'name'],
      ['a bad domain', { slug: 'bad-domain', name: 'x', domains: ['not a domain'] }, 'domains.0'],
      ['domains not a list', { slug: 'bad-domains', name: 'x', domains: 'acme.com' }, 'domains'],
      ['an unknown sign-in policy', { slug: 'bad-policy', name: 'x', signIn: 'open' }, 'signIn'],
      ['an unknown field', { slug: 'extra', name: 'x', colour: 'red' }, 'colour'],
    ])('refuses %s with 400 naming the field, and creates nothing', async (_case, body, field) => {
      const before = await tenantCount();
      const response = await admin.post('/admin/v1/tenants', body);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_request');
      expect(response.body.error.message).toContain(field);
      expect(await tenantCount()).toBe(before);
    });

    it.each([
      ['malformed JSON', '{"slug": "x",'],
      ['a JSON array', '[]'],
      ['a JSON string', '"acme"'],
    ])('refuses %s with 400', async (_case, raw) => {
      const before = await tenantCount();
      const response = await admin.post('/admin/v1/tenants', raw);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_request');
      expect(await tenantCount()).toBe(before);
    });

    it('refuses a body over 1 MiB with 413', async () => {
      const response = await admin.post('/admin/v1/tenants', { slug: 'huge', name: 'x'.repeat(1024 * 1024 + 10) });
      expect(response.status).toBe(413);
      expect(response.body.error.code).toBe('payload_too_large');
    });
  });

  describe('read, change, delete', () => {
    beforeAll(async () => {
      await admin.post('/admin/v1/tenants', { slug: 'globex', name: 'Globex', domains: ['globex.com'] });
    });

    it('lists tenants by slug', async () => {
      const response = await admin.get('/admin/v1/tenants');
      expect(response.status).toBe(200);
      const slugs = (response.body.tenants as { slug: string }[]).map((t) => t.slug);
      expect(slugs).toContain('globex');
      expect(slugs).toEqual([...slugs].sort());
    });

    it('gets one tenant', async () => {
      const response = await admin.get('/admin/v1/tenants/globex');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ slug: 'globex', domains: ['globex.com'] });
    });

    it.each(['/admin/v1/tenants/nobody', '/admin/v1/tenants/NOT_A_SLUG'])(
      'answers 404 for an unknown tenant (%s)',
      async (url) => {
        for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
          const response = await admin.send(method, url, method === 'PATCH' ? { name: 'x' } : undefined);
          expect(response.status).toBe(404);
          expect(response.body.error.code).toBe('not_found');
        }
      },
    );

    it('changes name, domains and sign-in policy', async () => {
      const before = (await admin.get('/admin/v1/tenants/globex')).body;
      const response = await admin.patch('/admin/v1/tenants/globex', {
        name: 'Globex International',
        domains: ['globex.io'],
        signIn: 'provisioned-only',
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        id: before.id,
        slug: 'globex',
        name: 'Globex International',
        domains: ['globex.io'],
        signIn: 'provisioned-only',
      });
      expect(new Date(response.body.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(before.updatedAt).getTime());
      // The released domain can be claimed by another tenant.
      expect(
        (await admin.post('/admin/v1/tenants', { slug: 'initech', name: 'Initech', domains: ['globex.com'] })).status,
      ).toBe(201);
    });

    it.each([
      ['an empty patch', {}],
      ['a slug change', { slug: 'renamed' }],
      ['a bad sign-in policy', { signIn: 'maybe' }],
      ['a bad domain', { domains: ['bad domain'] }],
    ])('refuses %s with 400 and changes nothing', async (_case, body) => {
      const before = (await admin.get('/admin/v1/tenants/globex')).body;
      const response = await admin.patch('/admin/v1/tenants/globex', body);
      expect(response.status).toBe(400);
      expect((await admin.get('/admin/v1/tenants/globex')).body).toEqual(before);
    });

    it("refuses to take another tenant's domain with 409 and changes nothing", async () => {
      const before = (await admin.get('/admin/v1/tenants/globex')).body;
      const response = await admin.patch('/admin/v1/tenants/globex', { domains: ['globex.com'] });
      expect(response.status).toBe(409);
      expect((await admin.get('/admin/v1/tenants/globex')).body).toEqual(before);
    });

    it('deletes a tenant with its SCIM tokens', async () => {
      await admin.post('/admin/v1/tenants', { slug: 'doomed', name: 'Doomed' });
      await admin.post('/admin/v1/tenants/doomed/scim-tokens', {});
      const { id } = (await admin.get('/admin/v1/tenants/doomed')).body;

      expect((await admin.delete('/admin/v1/tenants/doomed')).status).toBe(204);
      expect((await admin.get('/admin/v1/tenants/doomed')).status).toBe(404);
      expect(await gateway.db.query('SELECT 1 FROM scim_tokens WHERE tenant_id = $1', [id])).toHaveLength(0);
      expect((await admin.delete('/admin/v1/tenants/doomed')).status).toBe(404);
    });
  });

  it('answers unknown admin routes with a JSON 404', async () => {
    const response = await admin.get('/admin/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
  });
});
