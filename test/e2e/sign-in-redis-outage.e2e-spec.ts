import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { adminRequests } from '../support/admin-requests';
import { TestApp, startTestApp } from '../support/test-app';
import { TestIdp, startTestIdp } from '../support/test-idp';

/** Sessions and sign-in attempts live in Redis: without it, sign-in says it is unavailable, quickly. */
describe('sign-in while Redis is away', () => {
  let idp: TestIdp;
  let gateway: TestApp;

  beforeAll(async () => {
    idp = await startTestIdp();
    gateway = await startTestApp(createOidcApp, { redisUrl: 'redis://127.0.0.1:1' });
    const admin = adminRequests(gateway.app, gateway.config.adminToken);
    expect((await admin.post('/admin/v1/tenants', { slug: 'acme', name: 'Acme' })).status).toBe(201);
    idp.registerClient({
      client_id: 'gateway-acme',
      client_secret: 'secret-acme',
      redirect_uris: [`${gateway.config.publicUrl}/auth/callback`],
    });
    const put = await admin.put('/admin/v1/tenants/acme/oidc', {
      issuer: idp.issuer,
      clientId: 'gateway-acme',
      clientSecret: 'secret-acme',
    });
    expect(put.status).toBe(200);
  });
  afterAll(async () => {
    await gateway?.close();
    await idp?.close();
  });

  it('answers /auth/me and /auth/token with 503, not 500', async () => {
    for (const [method, url] of [
      ['GET', '/auth/me'],
      ['POST', '/auth/token'],
    ] as const) {
      const response = await gateway.app.inject({
        method,
        url,
        headers: { cookie: '__Host-gw_session=some-session-token' },
      });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ error: { code: 'unavailable' } });
    }
  });

  it('shows a 503 page at /auth/login, and sets no cookie', async () => {
    const response = await gateway.app.inject({ method: 'GET', url: '/auth/login?tenant=acme' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toMatch(/briefly unavailable/);
    expect(response.headers['set-cookie']).toBeUndefined();
  });
});
