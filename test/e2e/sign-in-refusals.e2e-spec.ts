import { BrowserResponse, HttpBrowser } from '../support/http-browser';
import { SignInGateway, startSignInGateway } from '../support/sign-in-gateway';

/** The heading and text of a sign-in page, as a person reads them. */
function pageOf(response: BrowserResponse): { title: string; message: string } {
  const decode = (html: string) => html.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
  return {
    title: decode(/<h1>([^<]*)<\/h1>/.exec(response.body)?.[1] ?? ''),
    message: decode(/<\/h1>\s*<p>([^<]*)<\/p>/.exec(response.body)?.[1] ?? ''),
  };
}

/**
 * Each refusal of /auth/login says what is really wrong: a tenant that does
 * not exist, one that exists but has no IdP connected yet, an email domain no
 * tenant signs in, an address that is not one. None starts an attempt.
 */
describe('sign-in refusals say what is wrong', () => {
  let gw: SignInGateway;

  beforeAll(async () => {
    gw = await startSignInGateway({ accounts: [{ sub: '00u-ada', email: 'ada@acme.example' }] });
    await gw.tenant('acme');
    // A tenant onboarded with its domain, whose IdP nobody has connected yet.
    const created = await gw.admin.post('/admin/v1/tenants', {
      slug: 'initech',
      name: 'Initech',
      domains: ['initech.example'],
    });
    expect(created.status).toBe(201);
  });
  afterAll(() => gw?.close());

  /** GETs a login URL; a refusal is a page with no redirect and no cookie. */
  async function refused(query: string): Promise<{ status: number; title: string; message: string }> {
    const browser = new HttpBrowser();
    const response = await browser.get(`${gw.publicUrl}/auth/login?${query}`);
    expect(response.location).toBeUndefined();
    expect(response.headers.getSetCookie()).toEqual([]);
    return { status: response.status, ...pageOf(response) };
  }

  it('a tenant that exists but has no IdP connected: not set up yet, for the person and for the administrator', async () => {
    const page = await refused('tenant=initech');
    expect(page.status).toBe(404);
    expect(page.title).toBe('Sign-in is not set up yet');
    expect(page.message).toContain(
      'Sign-in is not set up for Initech yet: its identity provider has not been connected',
    );
    expect(page.message).toContain('Please ask your administrator.');
    expect(page.message).toContain('oidc set initech');
    expect(page.message).not.toMatch(/unknown|no organization/i);
  });

  it("the same tenant found by a login hint's email domain: also not set up yet", async () => {
    const page = await refused('login_hint=peter%40initech.example');
    expect(page).toMatchObject({ status: 404, title: 'Sign-in is not set up yet' });
    expect(page.message).toContain('Initech');
  });

  it('a tenant that does not exist: unknown organization, naming what was asked for', async () => {
    const page = await refused('tenant=umbrella');
    expect(page).toEqual({
      status: 404,
      title: 'Unknown organization',
      message: 'No organization is called "umbrella".',
    });
  });

  it('an email domain no tenant signs in: unknown email domain, not unknown organization', async () => {
    const page = await refused('login_hint=someone%40Nowhere.example');
    expect(page.status).toBe(404);
    expect(page.title).toBe('Unknown email domain');
    expect(page.message).toContain('No organization signs in people with @nowhere.example addresses here.');
    expect(page.message).toContain("add nowhere.example to the organization's domains");
  });

  it('a login hint that is not an email address: a 400 that says so', async () => {
    const page = await refused('login_hint=peter');
    expect(page).toMatchObject({ status: 400, title: 'Sign-in failed' });
    expect(page.message).toBe('"peter" is not an email address: sign in with your work email.');
  });

  it('a tenant named in capitals is the same tenant: the sign-in goes to its IdP', async () => {
    const start = await new HttpBrowser().get(`${gw.publicUrl}/auth/login?tenant=ACME`);
    expect(start.status).toBe(302);
    expect(start.location).toMatch(new RegExp(`^${gw.idp.issuer}/auth\\?`));
  });

  it('a login hint in capitals finds the tenant of its domain', async () => {
    const start = await new HttpBrowser().get(`${gw.publicUrl}/auth/login?login_hint=Ada%40ACME.example`);
    expect(start.status).toBe(302);
    expect(start.location).toMatch(new RegExp(`^${gw.idp.issuer}/auth\\?`));
  });
});
