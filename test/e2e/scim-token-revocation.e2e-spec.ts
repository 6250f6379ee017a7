import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { createScimApp } from '../../apps/scim/src/create-scim-app';
import { adminRequests } from '../support/admin-requests';
import { TestDatabase, createTestDatabase } from '../support/test-database';
import { testConfig } from '../support/test-config';

/**
 * The SCIM app remembers valid tokens for a few seconds; a token revoked (or
 * whose tenant is deleted) through the admin API, in another process, must
 * stop working at once all the same.
 */
describe('SCIM tokens revoked while the SCIM app remembers them', () => {
  let db: TestDatabase;
  let scim: NestFastifyApplication;
  let oidc: NestFastifyApplication;
  let admin: ReturnType<typeof adminRequests>;

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = testConfig(db.url);
    [scim, oidc] = await Promise.all([createScimApp(config), createOidcApp(config)]);
    await Promise.all([scim.init(), oidc.init()]);
    admin = adminRequests(oidc, config.adminToken);
  });
  afterAll(async () => {
    await Promise.all([scim.close(), oidc.close()]);
    await db.drop();
  });

  const scimStatus = async (token: string): Promise<number> =>
    (await scim.inject({ method: 'GET', url: '/scim/v2/Users?count=0', headers: { authorization: `Bearer ${token}` } }))
      .statusCode;

  /** Polls for the refusal: NOTIFY crosses processes in milliseconds; a second is a generous bound. */
  const refusedWithin = async (token: string, ms: number): Promise<number> => {
    const started = Date.now();
    while (Date.now() - started < ms) {
      if ((await scimStatus(token)) === 401) return Date.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`the token still worked ${ms} ms later`);
  };

  it('refuses a revoked token within moments, though it was just used', async () => {
    await admin.post('/admin/v1/tenants', { slug: 'acme', name: 'Acme' });
    const { id, token } = (await admin.post('/admin/v1/tenants/acme/scim-tokens', {})).body as {
      id: string;
      token: string;
    };
    expect(await scimStatus(token)).toBe(200);
    expect(await scimStatus(token)).toBe(200);
    expect((await admin.delete(`/admin/v1/tenants/acme/scim-tokens/${id}`)).status).toBe(204);
    expect(await refusedWithin(token, 1000)).toBeLessThan(1000);
  });

  it('refuses the tokens of a deleted tenant within moments', async () => {
    await admin.post('/admin/v1/tenants', { slug: 'doomed', name: 'Doomed' });
    const { token } = (await admin.post('/admin/v1/tenants/doomed/scim-tokens', {})).body as { token: string };
    expect(await scimStatus(token)).toBe(200);
    expect((await admin.delete('/admin/v1/tenants/doomed')).status).toBe(204);
    expect(await refusedWithin(token, 1000)).toBeLessThan(1000);
  });

  it('refuses a remembered token once it expires', async () => {
    await admin.post('/admin/v1/tenants', { slug: 'brief', name: 'Brief' });
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    const { token } = (await admin.post('/admin/v1/tenants/brief/scim-tokens', { expiresAt })).body as {
      token: string;
    };
    expect(await scimStatus(token)).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect(await scimStatus(token)).toBe(401);
  });
});
