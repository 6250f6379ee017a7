import { HttpBrowser } from '../support/http-browser';
import { LoopbackDns, startLoopbackDns } from '../support/loopback-dns';
import { SignInGateway, SignInTenant, startSignInGateway } from '../support/sign-in-gateway';

/**
 * Domains a tenant's administrator claims in the setup portal: a TXT record proves each
 * (a DNS server on loopback answers it), and only a proven domain routes `login_hint`
 * sign-ins; operator-set domains stay trusted as they are.
 */
describe('claimed domains, proven by DNS', () => {
  let gw: SignInGateway;
  let dns: LoopbackDns;
  let acme: SignInTenant;
  let globex: SignInTenant;

  beforeAll(async () => {
    dns = await startLoopbackDns();
    gw = await startSignInGateway({ config: { dnsResolvers: [dns.address] } });
    acme = await gw.tenant('acme', { domains: ['acme.example'] });
    globex = await gw.tenant('globex', { domains: ['globex.example'] });
  });
  afterAll(async () => {
    await gw?.close();
    await dns?.close();
  });

  const domains = (slug = 'acme') => `/admin/v1/tenants/${slug}/domains`;
  const claimRows = () =>
    gw.db.query<{ tenant_id: string; domain: string; verified_at: Date | null }>(
      `SELECT tenant_id, domain, verified_at FROM customer_domains ORDER BY tenant_id, domain`,
    );
  /** Where /auth/login?login_hint= sends an address of this domain: the IdP client it starts with, or the error status. */
  async function routeOf(domain: string): Promise<string | number> {
    const start = await new HttpBrowser().get(`${gw.publicUrl}/auth/login?login_hint=someone%40${domain}`);
    if (start.status !== 302) return start.status;
    return new URL(start.location!).searchParams.get('client_id')!;
  }

  it('lists the operator-set domains as trusted, with nothing to publish', async () => {
    const listed = await gw.admin.get(domains());
    expect(listed.status).toBe(200);
    expect(listed.body.data).toEqual([
      { domain: 'acme.example', status: 'operator', txtRecord: null, createdAt: expect.any(String), verifiedAt: null },
    ]);
  });

  it('adds a domain as pending, with the TXT record to publish; it routes nothing yet', async () => {
    const added = await gw.admin.post(domains(), { domain: ' Acme-Corp.example ' });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      domain: 'acme-corp.example',
      status: 'pending',
      txtRecord: {
        name: '_gateway-verification.acme-corp.example',
        value: expect.stringMatching(/^gateway-verification=[0-9a-f]{32}$/),
      },
      createdAt: expect.any(String),
      verifiedAt: null,
    });
    expect((await gw.admin.get(domains())).body.data.map((d: { domain: string }) => d.domain)).toEqual([
      'acme.example',
      'acme-corp.example',
    ]);
    expect(await routeOf('acme-corp.example')).toBe(404);
  });

  it('refuses to verify while the record is missing or wrong, says what it found, and changes nothing', async () => {
    const before = await claimRows();
    const missing = await gw.admin.post(`${domains()}/acme-corp.example/verify`);
    expect(missing.status).toBe(422);
    expect(missing.body.error.code).toBe('not_verified');
    expect(missing.body.error.message).toMatch(/no TXT record was found at _gateway-verification\.acme-corp\.example/);

    dns.setTxt('_gateway-verification.acme-corp.example', ['gateway-verification=not-the-token', 'v=spf1 -all']);
    const wrong = await gw.admin.post(`${domains()}/acme-corp.example/verify`);
    expect(wrong.status).toBe(422);
    expect(wrong.body.error).toEqual({
      code: 'not_verified',
      message: expect.stringContaining('found "gateway-verification=not-the-token", "v=spf1 -all"'),
    });
    expect(await claimRows()).toEqual(before);
    expect(await routeOf('acme-corp.example')).toBe(404);
  });

  it('verifies the domain once the right record is published; then login_hint routes to the tenant', async () => {
    const { txtRecord } = (await gw.admin.get(domains())).body.data.find(
      (d: { domain: string }) => d.domain === 'acme-corp.example',
    );
    dns.setTxt(txtRecord.name, ['v=spf1 -all', txtRecord.value]);
    const verified = await gw.admin.post(`${domains()}/acme-corp.example/verify`);
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ domain: 'acme-corp.example', status: 'verified', txtRecord });
    expect(new Date(verified.body.verifiedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(await routeOf('acme-corp.example')).toBe(acme.clientId);
    expect(await routeOf('ACME-CORP.example')).toBe(acme.clientId);

    // Verifying again is harmless, and keeps the first time.
    const again = await gw.admin.post(`${domains()}/acme-corp.example/verify`);
    expect(again.body.verifiedAt).toBe(verified.body.verifiedAt);
  });

  it('keeps operator-set domains routing as they always did', async () => {
    expect(await routeOf('acme.example')).toBe(acme.clientId);
    expect(await routeOf('globex.example')).toBe(globex.clientId);
  });

  it.each(['gmail.com', 'Outlook.com', 'hotmail.com', 'yahoo.com', 'icloud.com', 'proton.me', 'mail.gmail.com'])(
    'refuses the consumer domain %s with 422 consumer_domain',
    async (domain) => {
      const refused = await gw.admin.post(domains(), { domain });
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe('consumer_domain');
      expect(refused.body.error.message).toMatch(/public mail domain/);
    },
  );

  it.each([
    ['not a domain', { domain: 'not a domain' }],
    ['a bare label', { domain: 'localhost' }],
    ['an email address', { domain: 'ada@acme.example' }],
    ['a URL', { domain: 'https://acme.example' }],
    ['a number', { domain: 42 }],
    ['no domain', {}],
    ['an unknown field', { domain: 'x.example', owner: 'me' }],
  ])('refuses %s with 400', async (_, body) => {
    const refused = await gw.admin.post(domains(), body);
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('invalid_request');
  });

  it("refuses another tenant's operator-set or verified domain with 409, and the tenant's own twice", async () => {
    const before = await claimRows();
    for (const [slug, domain] of [
      ['globex', 'acme.example'],
      ['globex', 'acme-corp.example'],
      ['acme', 'globex.example'],
      ['acme', 'acme.example'],
      ['acme', 'acme-corp.example'],
    ]) {
      const refused = await gw.admin.post(domains(slug), { domain });
      expect([slug, domain, refused.status]).toEqual([slug, domain, 409]);
      expect(refused.body.error.code).toBe('conflict');
    }
    // Nor may the operator hand a domain proven by acme to globex.
    const patched = await gw.admin.patch('/admin/v1/tenants/globex', {
      domains: ['globex.example', 'acme-corp.example'],
    });
    expect(patched.status).toBe(409);
    expect(await claimRows()).toEqual(before);
  });

  it('lets two tenants claim a pending domain, and only the first to prove it keeps it', async () => {
    const a = await gw.admin.post(domains('acme'), { domain: 'shared.example' });
    const g = await gw.admin.post(domains('globex'), { domain: 'shared.example' });
    expect([a.status, g.status]).toEqual([201, 201]);
    dns.setTxt(g.body.txtRecord.name, [g.body.txtRecord.value]);
    expect((await gw.admin.post(`${domains('globex')}/shared.example/verify`)).status).toBe(200);
    dns.setTxt(a.body.txtRecord.name, [a.body.txtRecord.value]);
    const late = await gw.admin.post(`${domains('acme')}/shared.example/verify`);
    expect(late.status).toBe(409);
    expect(await routeOf('shared.example')).toBe(globex.clientId);
  });

  it('answers 404 for a domain the tenant has not added, and 400 for a malformed one', async () => {
    expect((await gw.admin.post(`${domains()}/nowhere.example/verify`)).status).toBe(404);
    expect((await gw.admin.delete(`${domains()}/nowhere.example`)).status).toBe(404);
    expect((await gw.admin.post(`${domains()}/no%20domain/verify`)).status).toBe(400);
    expect((await gw.admin.get(domains('nobody'))).status).toBe(404);
  });

  it('refuses to delete an operator-set domain from the portal, and deletes a claim, which stops routing', async () => {
    const operatorSet = await gw.admin.delete(`${domains()}/acme.example`);
    expect(operatorSet.status).toBe(409);
    expect(await routeOf('acme.example')).toBe(acme.clientId);

    const deleted = await gw.admin.delete(`${domains()}/acme-corp.example`);
    expect(deleted.status).toBe(204);
    expect((await gw.admin.get(domains())).body.data.map((d: { domain: string }) => d.domain)).toEqual([
      'acme.example',
      'shared.example',
    ]);
    expect(await routeOf('acme-corp.example')).toBe(404);
  });

  it('keeps a tenant to its own domains: another tenant cannot verify or delete them', async () => {
    expect((await gw.admin.post(`${domains('globex')}/acme.example/verify`)).status).toBe(404);
    expect((await gw.admin.delete(`${domains('acme')}/shared.example`)).status).toBe(204);
    expect(await routeOf('shared.example')).toBe(globex.clientId);
  });
});
