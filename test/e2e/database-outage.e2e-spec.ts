import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ScimTokensService, TenantsService } from '@app/identity';
import { ResolvedConfig } from '@app/platform';
import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { createScimApp } from '../../apps/scim/src/create-scim-app';
import { adminRequests } from '../support/admin-requests';
import { ERROR_SCHEMA } from '../support/scim-client';
import { TcpProxy } from '../support/tcp-proxy';
import { testConfig } from '../support/test-config';
import { TestDatabase, createTestDatabase } from '../support/test-database';

/**
 * PostgreSQL goes away under a running app (a loopback proxy in front of it is cut: open
 * connections die, new ones are refused): requests answer 503 with Retry-After, in the SCIM
 * error schema and in the admin API's `{error}`, never 500; when it is back, they succeed again.
 */
describe('a database outage', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let config: ResolvedConfig;
  let scim: NestFastifyApplication;
  let oidc: NestFastifyApplication;
  let scimToken: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const direct = new URL(db.url);
    proxy = new TcpProxy(direct.hostname, Number(direct.port || 5432));
    const proxied = new URL(db.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(await proxy.start());
    config = testConfig(proxied.toString());
    scim = await createScimApp(config);
    await scim.init();
    oidc = await createOidcApp(config);
    await oidc.init();
    await scim.get(TenantsService).create({ slug: 'acme', name: 'Acme', domains: [], signIn: 'jit' });
    scimToken = (await scim.get(ScimTokensService).issue('acme', {})).token;
  });
  afterAll(async () => {
    await proxy.start().catch(() => undefined);
    await scim?.close();
    await oidc?.close();
    await proxy.stop();
    await db.drop();
  });

  const scimGet = async (url: string) => {
    const response = await scim.inject({ method: 'GET', url, headers: { authorization: `Bearer ${scimToken}` } });
    return { status: response.statusCode, headers: response.headers, body: JSON.parse(response.body) };
  };
  const admin = () => adminRequests(oidc, config.adminToken);

  it('answers as usual while the database is there', async () => {
    expect((await scimGet('/scim/v2/Users?count=1')).status).toBe(200);
    expect((await admin().get('/admin/v1/tenants')).status).toBe(200);
  });

  it('answers 503 with Retry-After while it is away, and recovers when it is back', async () => {
    await proxy.stop();
    // The token was checked a moment ago: both the authenticated lookup and a fresh query must fail cleanly.
    for (const url of ['/scim/v2/Users?count=1', '/scim/v2/Users?filter=userName%20eq%20%22a%40x%22']) {
      const response = await scimGet(url);
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
      expect(response.body).toEqual({
        schemas: [ERROR_SCHEMA],
        status: '503',
        detail: 'the database is unavailable; retry later',
      });
    }
    const listed = await admin().get('/admin/v1/tenants');
    expect(listed.status).toBe(503);
    expect(listed.headers['retry-after']).toBe('5');
    expect(listed.body).toEqual({
      error: {
        code: 'unavailable',
        message: 'the database is unavailable; try again shortly',
        requestId: expect.any(String),
      },
    });
    const created = await admin().post('/admin/v1/tenants', { slug: 'globex', name: 'Globex' });
    expect(created.status).toBe(503);

    await proxy.start();
    expect((await scimGet('/scim/v2/Users?count=1')).status).toBe(200);
    const after = await admin().get('/admin/v1/tenants');
    expect(after.status).toBe(200);
    // The tenant refused during the outage was not created.
    expect(JSON.stringify(after.body)).toContain('"slug":"acme"');
    expect(JSON.stringify(after.body)).not.toContain('globex');
  });
});
