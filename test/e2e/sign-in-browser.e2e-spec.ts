import { existsSync } from 'node:fs';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Browser, chromium } from 'playwright-core';
import { SignInGateway, startSignInGateway } from '../support/sign-in-gateway';

/**
 * Debian's package by default; CI installs it (.ci/run), and no browser is downloaded.
 * CHROMIUM_PATH points the test at another Chromium or Chrome binary.
 */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * One sign-in in a real headless Chromium: the browser's own cookie rules
 * (SameSite, HttpOnly, cookies shared by every port of 127.0.0.1) decide
 * whether the attempt cookie reaches the callback and the session cookie
 * reaches /auth/me, which the fetch-based HttpBrowser only approximates.
 */
describe('sign-in in a real browser', () => {
  let gateway: SignInGateway;
  let returnPage: Server;
  let returnUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      // Fails rather than skips: a missing browser must not turn this test green.
      throw new Error(missingChromium(CHROMIUM));
    }
    returnPage = await startReturnPage();
    returnUrl = `http://127.0.0.1:${(returnPage.address() as AddressInfo).port}/home`;
    gateway = await startSignInGateway({
      accounts: [{ sub: '00u-ada', email: 'ada@acme.example', name: 'Ada Lovelace', groups: ['Engineering'] }],
    });
    // The product's page the browser returns to, served here on loopback.
    await gateway.tenant('acme', { connection: { allowedReturnUrls: [returnUrl] } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await new Promise((resolve) => (returnPage ? returnPage.close(resolve) : resolve(undefined)));
  });

  it('signs in through the IdP form, returns to the product and holds a session', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const login = `${gateway.publicUrl}/auth/login?tenant=acme&return_to=${encodeURIComponent(returnUrl)}`;

    await page.goto(login);
    expect(page.url()).toMatch(new RegExp(`^${gateway.idp.origin}/interaction/`));
    await page.fill('input[name=login]', 'ada@acme.example');
    await Promise.all([page.waitForURL(returnUrl), page.click('#sign-in')]);
    expect(await page.textContent('#product')).toBe('Product home');

    const me = await page.goto(`${gateway.publicUrl}/auth/me`);
    expect(me?.status()).toBe(200);
    const body = await me?.json();
    expect(body).toMatchObject({
      user: { tenant: 'acme', userName: 'ada@acme.example', email: 'ada@acme.example', name: 'Ada Lovelace' },
      session: { id: expect.any(String), expiresAt: expect.any(String) },
    });
    expect(Date.parse(body.session.expiresAt)).toBeGreaterThan(Date.now());

    const cookies = await context.cookies(gateway.publicUrl);
    const session = cookies.find((cookie) => cookie.name === 'gw_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });
    // The attempt cookie is cleared once the callback has used it.
    expect(cookies.find((cookie) => cookie.name.startsWith('gw_sign_in_'))).toBeUndefined();
    await context.close();
  });
});

/** Why the test cannot run, and the two ways to let it. */
function missingChromium(path: string): string {
  return [
    `The browser sign-in test needs Chromium, and there is none at ${path}.`,
    "Install Debian's package:   sudo apt-get install -y chromium",
    'or point the test at a Chromium or Chrome you have:   CHROMIUM_PATH=/path/to/chromium npm test',
  ].join('\n');
}

/** The tenant's product: any path answers a small HTML page. */
async function startReturnPage(): Promise<Server> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><title>Product</title><h1 id="product">Product home</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
