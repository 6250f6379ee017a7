import { existsSync } from 'node:fs';
import { Browser, chromium } from 'playwright-core';
import { ProductApp, startProductApp } from '../support/product-app';
import { SignInGateway, startSignInGateway } from '../support/sign-in-gateway';
import { eventually } from '../support/webhook-receiver';

/** Debian's package by default (CI installs it); CHROMIUM_PATH points at another. */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * The whole chain in a real headless Chromium: a product (an openid-client RP
 * on loopback) → the gateway's email page → the tenant's IdP → back to the
 * product; a second product by SSO; logout at the product, which ends the
 * gateway session and sends the other product a logout token.
 */
describe('a product sign-in in a real browser', () => {
  let gateway: SignInGateway;
  let wiki: ProductApp;
  let billing: ProductApp;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
    gateway = await startSignInGateway({
      accounts: [{ sub: '00u-ada', email: 'ada@acme.example', name: 'Ada Lovelace' }],
    });
    await gateway.tenant('acme', { domains: ['acme.example'] });
    wiki = await startProductApp('Wiki');
    billing = await startProductApp('Billing');
    for (const [app, name] of [
      [wiki, 'Wiki'],
      [billing, 'Billing'],
    ] as const) {
      const created = await gateway.admin.post('/admin/v1/clients', {
        name,
        redirectUris: [app.redirectUri],
        postLogoutRedirectUris: [app.signedOutUri],
        backchannelLogoutUri: app.backchannelLogoutUri,
      });
      expect(created.status).toBe(201);
      await app.connect(gateway.publicUrl, created.body.clientId, created.body.clientSecret);
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await wiki?.close();
    await billing?.close();
  });

  it('signs in to a product, then another by SSO, then logs out of both', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();

    await page.goto(`${wiki.url}/login`);
    expect(page.url()).toMatch(new RegExp(`^${gateway.publicUrl}/oidc/interaction/`));
    expect(await page.textContent('body')).toContain('Enter your work email to sign in to Wiki');
    await page.fill('#email', 'ada@acme.example');
    await Promise.all([page.waitForURL(new RegExp(`^${gateway.idp.origin}/interaction/`)), page.click('#continue')]);
    await Promise.all([page.waitForURL(new RegExp(`^${wiki.redirectUri}`)), page.click('#sign-in')]);
    expect(await page.textContent('#who')).toBe('ada@acme.example of acme in Wiki');

    await page.goto(`${billing.url}/login`);
    await page.waitForURL(new RegExp(`^${billing.redirectUri}`));
    expect(await page.textContent('#who')).toBe('ada@acme.example of acme in Billing');

    await page.goto(`${wiki.url}/logout`);
    expect(page.url()).toMatch(new RegExp(`^${gateway.publicUrl}/oidc/logout`));
    await Promise.all([page.waitForURL(wiki.signedOutUri), page.click('#sign-out')]);
    expect(await page.textContent('#signed-out')).toBe('Signed out of Wiki');

    const me = await page.goto(`${gateway.publicUrl}/auth/me`);
    expect(me?.status()).toBe(401);
    await eventually(() => billing.logoutTokens.length > 0, 15_000, 'a logout token at the other product');
    await context.close();
  });
});
