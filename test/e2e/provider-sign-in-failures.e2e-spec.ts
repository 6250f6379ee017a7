import { HttpBrowser, type BrowserResponse } from '../support/http-browser';
import { childEnv, distEntry, runNode } from '../support/processes';
import { RegisteredProduct, followToProduct, registerProduct, startProductSignIn } from '../support/product-rp';
import { USER_SCHEMA } from '../support/scim-client';
import { SignInGateway, SignInTenant, startSignInGateway } from '../support/sign-in-gateway';
import { eventually } from '../support/webhook-receiver';

const PRODUCT = 'http://127.0.0.1:9';

interface SignInFailure {
  id: string;
  status: number;
  reason: string;
  detail: string | null;
  ip: string | null;
  userAgent: string | null;
  clientId: string | null;
}

/**
 * A product's refused sign-in (through the gateway's OpenID Provider) lands in the
 * tenant's sign-in failures like the gateway's own, naming the product's client id:
 * refused at the interaction, or in the tenant IdP sign-in the interaction sent the
 * browser through.
 */
describe('products’ refused sign-ins in the tenant’s sign-in failures', () => {
  let gw: SignInGateway;
  let acme: SignInTenant;
  let wiki: RegisteredProduct;
  let globexOnly: RegisteredProduct;

  beforeAll(async () => {
    gw = await startSignInGateway({ accounts: [{ sub: '00u-ada', email: 'ada@acme.example', name: 'Ada' }] });
    acme = await gw.tenant('acme', { domains: ['acme.example'] });
    await gw.tenant('globex', { domains: ['globex.example'] });
    const product = (name: string, body: Record<string, unknown> = {}) =>
      registerProduct(gw.admin, gw.publicUrl, {
        name,
        redirectUris: [`${PRODUCT}/${name.toLowerCase()}/callback`],
        ...body,
      });
    wiki = await product('Wiki');
    globexOnly = await product('Globex', { tenants: ['globex'] });
  });
  afterAll(() => gw?.close());

  const failures = async (slug: string): Promise<SignInFailure[]> => {
    const listed = await gw.admin.get(`/admin/v1/tenants/${slug}/sign-in-failures`);
    expect(listed.status).toBe(200);
    return listed.body.entries as SignInFailure[];
  };
  /** The newest failure of the tenant once there is one more than `before`. */
  const newFailure = (slug: string, before: number): Promise<SignInFailure> =>
    eventually(
      async () => {
        const entries = await failures(slug);
        return entries.length > before && entries[0];
      },
      10_000,
      `a new sign-in failure of ${slug}`,
    );
  /** The `state` the gateway sent to the tenant's IdP, from the redirect chain that reached the IdP's login page. */
  const idpState = (page: BrowserResponse): string => {
    const toIdp = page.chain.find((hop) => {
      const location = new URL(hop.location);
      return location.origin === gw.idp.origin && location.searchParams.has('state');
    });
    if (!toIdp) throw new Error('the browser never went to the IdP');
    return new URL(toIdp.location).searchParams.get('state')!;
  };

  it('records a product that does not serve the tenant, with its client id', async () => {
    const before = (await failures('acme')).length;
    const browser = new HttpBrowser();
    const start = await startProductSignIn(globexOnly, { organization: 'acme' });
    const refused = await followToProduct(browser, await browser.get(start.url), globexOnly);
    expect(new URL(refused.location!).searchParams.get('error')).toBe('access_denied');

    expect(await newFailure('acme', before)).toMatchObject({
      status: 403,
      reason: expect.stringMatching(/^users of .* may not sign in to Globex$/),
      detail: 'access_denied',
      clientId: globexOnly.clientId,
      ip: expect.any(String),
    });
    // Only the tenant the person belongs to hears of it.
    expect((await failures('globex')).filter((entry) => entry.clientId === globexOnly.clientId)).toEqual([]);
  });

  it('records a deactivated user refused at the callback of a product’s sign-in, naming the product', async () => {
    const created = await acme.send('POST', '/scim/v2/Users', {
      schemas: [USER_SCHEMA],
      userName: 'zed@acme.example',
      externalId: '00u-zed',
      emails: [{ value: 'zed@acme.example', primary: true }],
      active: false,
    });
    expect(created.status).toBe(201);
    gw.idp.addAccount({ sub: '00u-zed', email: 'zed@acme.example', name: 'Zed' });
    const before = (await failures('acme')).length;
    const start = await startProductSignIn(wiki, { organization: 'acme' });
    const page = await gw.signIn(new HttpBrowser(), start.url, 'zed@acme.example');
    expect(page.status).toBe(403);

    const failure = await newFailure('acme', before);
    expect(failure).toMatchObject({ status: 403, clientId: wiki.clientId });
    expect(failure.reason).toMatch(/deactivated|disabled|not active/i);
  });

  it('records a tenant IdP’s error at the callback of a product’s sign-in, naming the product', async () => {
    const before = (await failures('acme')).length;
    const browser = new HttpBrowser();
    const start = await startProductSignIn(wiki, { organization: 'acme' });
    const login = await browser.open(start.url);
    expect(login.body).toContain('name="login"');
    // The IdP sends the person back with an error (Okta: the user is not assigned to the app).
    const callback = new URL('/auth/callback', gw.publicUrl);
    callback.searchParams.set('error', 'access_denied');
    callback.searchParams.set('error_description', 'User is not assigned to the client application.');
    callback.searchParams.set('state', idpState(login));
    // RFC 9207: the IdP names itself in its answer, as oidc-provider (and Okta) do.
    callback.searchParams.set('iss', gw.idp.issuer);
    const page = await browser.get(callback);
    expect(page.status).toBeGreaterThanOrEqual(400);

    const failure = await newFailure('acme', before);
    expect(failure.clientId).toBe(wiki.clientId);
    expect(`${failure.reason} ${failure.detail}`).toMatch(/access_denied|not assigned/);
  });

  it('records a product’s sign-in to a tenant with no IdP connected yet, naming the product', async () => {
    expect((await gw.admin.post('/admin/v1/tenants', { slug: 'initech', name: 'Initech' })).status).toBe(201);
    const start = await startProductSignIn(wiki, { organization: 'initech' });
    const page = await new HttpBrowser().open(start.url);
    expect(page.url).toMatch(/\/auth\/login\?/);
    expect(page.status).toBeGreaterThanOrEqual(400);

    expect(await newFailure('initech', 0)).toMatchObject({ status: page.status, clientId: wiki.clientId });
  });

  it('names no product for the gateway’s own sign-in, nor for a return_to that only looks like a product’s', async () => {
    for (const returnTo of [undefined, `${gw.publicUrl}/oidc/interaction/made-up-by-a-visitor`]) {
      const before = (await failures('acme')).length;
      const browser = new HttpBrowser();
      const url = new URL('/auth/login', gw.publicUrl);
      url.searchParams.set('tenant', 'acme');
      if (returnTo) url.searchParams.set('return_to', returnTo);
      const login = await browser.open(url);
      expect(login.body).toContain('name="login"');
      const callback = new URL('/auth/callback', gw.publicUrl);
      callback.searchParams.set('error', 'access_denied');
      callback.searchParams.set('state', idpState(login));
      expect((await browser.get(callback)).status).toBeGreaterThanOrEqual(400);

      expect(await newFailure('acme', before)).toMatchObject({ clientId: null });
    }
  });

  it('shows the product’s client id in the CLI’s table of sign-in failures', async () => {
    const listed = await runNode(
      distEntry('cli'),
      ['tenants', 'sign-in-failures', 'acme'],
      childEnv({ PUBLIC_URL: gw.publicUrl, ADMIN_TOKEN: gw.config.adminToken }),
    );
    expect(listed.code).toBe(0);
    const [header, ...rows] = listed.stdout.trim().split('\n');
    expect(header).toMatch(/^AT\s+STATUS\s+REASON\s+CLIENT\s+DETAIL/);
    expect(rows.some((row) => row.includes(globexOnly.clientId))).toBe(true);
    // The gateway's own sign-ins name no product.
    expect(rows.some((row) => /\s-\s/.test(row) && !row.includes(globexOnly.clientId))).toBe(true);
  });

  it('refuses an unknown organization with a page; it belongs to no tenant’s log', async () => {
    const before = await failures('acme');
    const start = await startProductSignIn(wiki, { organization: 'no-such-org' });
    const page = await new HttpBrowser().open(start.url);
    expect(page.status).toBe(404);
    expect(page.body).toContain('No organization is called');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await failures('acme')).toEqual(before);
  });
});
