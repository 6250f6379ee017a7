import { SignInGateway, startSignInGateway } from '../support/sign-in-gateway';

/** The generated setup guide of a tenant, as the portal links to it: Markdown to download, or a printable page. */
describe('the setup guide route', () => {
  let gw: SignInGateway;

  beforeAll(async () => {
    gw = await startSignInGateway();
    const created = await gw.admin.post('/admin/v1/tenants', {
      slug: 'acme',
      name: 'Acme <Corp> & *Sons*',
      domains: ['acme.example'],
    });
    expect(created.status).toBe(201);
    expect((await gw.admin.post('/admin/v1/tenants/acme/domains', { domain: 'acme-corp.example' })).status).toBe(201);
  });
  afterAll(async () => {
    await gw?.close();
  });

  const guide = (query: string, slug = 'acme') =>
    gw.oidc.inject({
      method: 'GET',
      url: `/admin/v1/tenants/${slug}/setup-guide${query}`,
      headers: { authorization: `Bearer ${gw.config.adminToken}` },
    });

  it("answers Okta's guide in Markdown with the tenant's own values", async () => {
    const response = await guide('?idp=okta&format=markdown');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    const tenant = (await gw.admin.get('/admin/v1/tenants/acme')).body;
    for (const value of Object.values(tenant.setup as Record<string, string>)) {
      expect(response.body).toContain(`\`${value}\``);
    }
    expect(response.body).toContain(`\`${gw.publicUrl}/auth/callback\``);
    expect(response.body).toMatch(/^# Set up Okta for Acme \\<Corp\\> \\& \\\*Sons\\\*\n/);
    // The domain claimed but not yet proven: its TXT record is in the guide.
    const [pending] = (await gw.admin.get('/admin/v1/tenants/acme/domains')).body.data.filter(
      (d: { status: string }) => d.status === 'pending',
    );
    expect(response.body).toContain(`| \`${pending.txtRecord.name}\` | \`${pending.txtRecord.value}\` |`);
  });

  it("answers Entra's guide as a printable page: escaped, no script, a strict CSP", async () => {
    const response = await guide('?idp=entra&format=html');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'sha256-/);
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.body).toContain('<h1>Set up Microsoft Entra ID for Acme &#60;Corp&#62; &#38; *Sons*</h1>');
    expect(response.body).not.toMatch(/<script|Acme <Corp>/);
    expect(response.body).toContain(`<code>${gw.config.scimPublicUrl}/scim/v2</code>`);
    expect(response.body).toContain('@media print');
  });

  it('defaults to Okta in Markdown', async () => {
    const response = await guide('');
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/^# Set up Okta for /);
  });

  it.each([
    ['an unknown IdP', '?idp=onelogin', /idp: must be "okta" or "entra"/],
    ['an unknown format', '?format=pdf', /format: must be "markdown" or "html"/],
  ])('refuses %s with 400', async (_, query, message) => {
    const response = await guide(query);
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toEqual({ code: 'invalid_request', message: expect.stringMatching(message) });
  });

  it('answers 404 for an unknown tenant, and 401 without credentials', async () => {
    expect((await guide('', 'nobody')).statusCode).toBe(404);
    const anonymous = await gw.oidc.inject({ method: 'GET', url: '/admin/v1/tenants/acme/setup-guide' });
    expect(anonymous.statusCode).toBe(401);
  });
});
