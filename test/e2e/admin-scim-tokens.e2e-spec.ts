import { createHash } from 'node:crypto';
import { ScimTokensService } from '@app/identity';
import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { adminRequests } from '../support/admin-requests';
import { TestApp, startTestApp } from '../support/test-app';

describe('admin API: SCIM tokens', () => {
  let gateway: TestApp;
  let admin: ReturnType<typeof adminRequests>;
  let tokens: ScimTokensService;

  beforeAll(async () => {
    gateway = await startTestApp(createOidcApp);
    admin = adminRequests(gateway.app, gateway.config.adminToken);
    tokens = gateway.app.get(ScimTokensService);
    await admin.post('/admin/v1/tenants', { slug: 'acme', name: 'Acme' });
    await admin.post('/admin/v1/tenants', { slug: 'globex', name: 'Globex' });
  });
  afterAll(() => gateway.close());

  const issue = async (slug = 'acme', body: unknown = {}) =>
    (await admin.post(`/admin/v1/tenants/${slug}/scim-tokens`, body)).body;
  const tokenCount = async (): Promise<number> =>
    Number((await gateway.db.query<{ n: string }>('SELECT count(*) AS n FROM scim_tokens'))[0].n);

  it('issues a token shown once, and keeps only its SHA-256 hash and a short prefix', async () => {
    const response = await admin.post('/admin/v1/tenants/acme/scim-tokens', {});
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      token: expect.stringMatching(/^gws_[A-Za-z0-9_-]{43}$/),
      prefix: response.body.token.slice(0, 10),
      createdAt: expect.any(String),
      expiresAt: null,
    });
    const [row] = await gateway.db.query<Record<string, unknown>>('SELECT * FROM scim_tokens WHERE id = $1', [
      response.body.id,
    ]);
    expect(row.token_hash).toEqual(createHash('sha256').update(response.body.token).digest());
    expect(JSON.stringify(row)).not.toContain(response.body.token);
    expect(JSON.stringify(row)).not.toContain(response.body.token.slice(10));
  });

  it('accepts a body-less request', async () => {
    const response = await admin.send('POST', '/admin/v1/tenants/acme/scim-tokens');
    expect(response.status).toBe(201);
  });

  it('lists tokens without their secrets', async () => {
    const issued = await issue('acme', { expiresAt: '2099-01-01T00:00:00Z' });
    const response = await admin.get('/admin/v1/tenants/acme/scim-tokens');
    expect(response.status).toBe(200);
    const listed = (response.body.tokens as { id: string }[]).find((t) => t.id === issued.id);
    expect(listed).toEqual({
      id: issued.id,
      prefix: issued.prefix,
      status: 'active',
      createdAt: issued.createdAt,
      expiresAt: '2099-01-01T00:00:00.000Z',
      revokedAt: null,
      lastUsedAt: null,
      replaces: null,
    });
    expect(JSON.stringify(response.body)).not.toContain(issued.token);
  });

  it('authenticates a valid token to its tenant and records the use', async () => {
    const issued = await issue('acme');
    const principal = await tokens.authenticate(issued.token);
    expect(principal).toEqual({ tenantId: expect.any(String), tenantSlug: 'acme', tokenId: issued.id });
    for (let i = 0; i < 50; i++) {
      const [row] = await gateway.db.query<{ last_used_at: Date | null }>(
        'SELECT last_used_at FROM scim_tokens WHERE id = $1',
        [issued.id],
      );
      if (row.last_used_at) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('last_used_at was never recorded');
  });

  it.each([
    ['an unknown token', 'gws_' + 'A'.repeat(43)],
    ['an empty token', ''],
    ['a token of another format', 'not-a-token'],
  ])('refuses %s', async (_case, token) => {
    expect(await tokens.authenticate(token)).toBeUndefined();
  });

  it('refuses a revoked token from the next request on', async () => {
    const issued = await issue('acme');
    expect(await tokens.authenticate(issued.token)).toBeDefined();
    expect((await admin.delete(`/admin/v1/tenants/acme/scim-tokens/${issued.id}`)).status).toBe(204);
    expect(await tokens.authenticate(issued.token)).toBeUndefined();
    const listed = (await admin.get('/admin/v1/tenants/acme/scim-tokens')).body.tokens.find(
      (t: { id: string }) => t.id === issued.id,
    );
    expect(listed).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
    // Revoking again is harmless and keeps the first revocation time.
    expect((await admin.delete(`/admin/v1/tenants/acme/scim-tokens/${issued.id}`)).status).toBe(204);
    const again = (await admin.get('/admin/v1/tenants/acme/scim-tokens')).body.tokens.find(
      (t: { id: string }) => t.id === issued.id,
    );
    expect(again.revokedAt).toBe(listed.revokedAt);
  });

  it('refuses an expired token', async () => {
    // (Expiry as time would bring it, without waiting: the token is not yet remembered by this process.)
    const issued = await issue('acme', { expiresAt: new Date(Date.now() + 60_000).toISOString() });
    await gateway.db.query(`UPDATE scim_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      issued.id,
    ]);
    expect(await tokens.authenticate(issued.token)).toBeUndefined();
    const listed = (await admin.get('/admin/v1/tenants/acme/scim-tokens')).body.tokens.find(
      (t: { id: string }) => t.id === issued.id,
    );
    expect(listed.status).toBe('expired');
  });

  it.each([
    ['an expiry in the past', { expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt'],
    ['an expiry that is not a date', { expiresAt: 'tomorrow' }, 'expiresAt'],
    ['an expiry without a time zone', { expiresAt: '2099-01-01T00:00:00' }, 'expiresAt'],
    ['an unknown field', { scope: 'all' }, 'scope'],
  ])('refuses %s with 400 and issues nothing', async (_case, body, field) => {
    const before = await tokenCount();
    const response = await admin.post('/admin/v1/tenants/acme/scim-tokens', body);
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain(field);
    expect(await tokenCount()).toBe(before);
  });

  it('answers 404 for an unknown tenant', async () => {
    expect((await admin.post('/admin/v1/tenants/nobody/scim-tokens', {})).status).toBe(404);
    expect((await admin.get('/admin/v1/tenants/nobody/scim-tokens')).status).toBe(404);
  });

  it('keeps tenants apart: one tenant cannot see or revoke another tenant’s token', async () => {
    const issued = await issue('acme');
    const globexList = (await admin.get('/admin/v1/tenants/globex/scim-tokens')).body.tokens as { id: string }[];
    expect(globexList.map((t) => t.id)).not.toContain(issued.id);
    const response = await admin.delete(`/admin/v1/tenants/globex/scim-tokens/${issued.id}`);
    expect(response.status).toBe(404);
    expect(await tokens.authenticate(issued.token)).toMatchObject({ tenantSlug: 'acme' });
  });

  it.each(['not-a-uuid', '00000000-0000-0000-0000-000000000000'])(
    'answers 404 when revoking an unknown id (%s)',
    async (id) => {
      const response = await admin.delete(`/admin/v1/tenants/acme/scim-tokens/${id}`);
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('not_found');
    },
  );

  it('refuses every token endpoint without the admin token', async () => {
    const headers = { authorization: 'Bearer nope-nope-nope-nope-nope-nope' };
    expect((await admin.send('POST', '/admin/v1/tenants/acme/scim-tokens', {}, headers)).status).toBe(401);
    expect((await admin.send('GET', '/admin/v1/tenants/acme/scim-tokens', undefined, headers)).status).toBe(401);
    expect((await admin.send('DELETE', '/admin/v1/tenants/acme/scim-tokens/x', undefined, headers)).status).toBe(401);
  });
});
