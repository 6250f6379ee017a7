import { Browser, Page } from 'playwright-core';
import { SignInGateway, startSignInGateway } from '../support/sign-in-gateway';
import { USER_SCHEMA } from '../support/scim-client';
import { GROUP_SCHEMA } from '../support/scim-groups-client';
import { LoopbackDns, startLoopbackDns } from '../support/loopback-dns';
import {
  PHONE,
  WatchedContext,
  assertAccessible,
  launchChromium,
  newWatchedContext,
  screenshots,
} from '../support/web-browser';

/**
 * The setup portal as a customer's IT administrator meets it, in a real
 * Chromium against the real OIDC and SCIM apps: open the setup link, verify a
 * domain (a DNS server on loopback answers the TXT record), connect Okta (the
 * in-process oidc-provider) and run the test sign-in in its popup, issue a
 * SCIM token and watch the indicator turn green when the IdP calls, push a
 * group and map it to a role with the preview. Every page passes axe-core;
 * each step leaves a screenshot under test-output/screenshots/portal/.
 */
describe('the setup portal, walked through as an Okta admin would', () => {
  let gateway: SignInGateway;
  let dns: LoopbackDns;
  let browser: Browser;
  let watched: WatchedContext;
  let page: Page;
  const shot = screenshots('portal');
  const clientId = 'okta-app-acme';
  const clientSecret = 'okta-secret-acme-0123456789';

  beforeAll(async () => {
    dns = await startLoopbackDns();
    gateway = await startSignInGateway({
      accounts: [
        { sub: '00u-ada', email: 'ada@acme-corp.example', name: 'Ada Lovelace', groups: ['Engineering'] },
        { sub: '00u-grace', email: 'grace@acme-corp.example', name: 'Grace Hopper', groups: ['Engineering'] },
      ],
      config: { dnsResolvers: [dns.address] },
    });
    const created = await gateway.admin.post('/admin/v1/tenants', { slug: 'acme', name: 'Acme Corp' });
    expect(created.status).toBe(201);
    gateway.idp.registerClient({
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [`${gateway.publicUrl}/auth/callback`],
      post_logout_redirect_uris: [`${gateway.publicUrl}/auth/logged-out/acme`],
    });
    browser = await launchChromium();
    watched = await newWatchedContext(browser);
    page = await watched.context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await dns?.close();
  });

  /** Both checks every page gets: what a screen reader and keyboard user need, and a picture. */
  const look = async (name: string) => {
    await assertAccessible(page, name);
    await shot(page, name);
  };
  const step = (name: string) => page.locator(`[data-step="${name}"]`);
  const focused = () => page.evaluate(() => (globalThis as any).document.activeElement?.textContent as string);
  const stepIn = (name: string, state: string) =>
    page.locator(`[data-step="${name}"][data-state="${state}"]`).waitFor();

  it('opens the setup link into the portal, whose address holds no secret', async () => {
    const link = await gateway.admin.post('/admin/v1/tenants/acme/setup-links', { email: 'it@acme-corp.example' });
    expect(link.status).toBe(201);
    await page.goto(link.body.url);
    await page.waitForURL(`${gateway.publicUrl}/portal`);
    await page.getByRole('heading', { level: 1, name: 'Set up Acme Corp' }).waitFor();
    expect(page.url()).not.toContain(link.body.url.split('/').pop());
    expect(await page.locator('.brand-name').textContent()).toBe('Acme Corp');
    // Each step's state comes from its API: "checking" first, then what the API proves.
    for (const name of ['domains', 'oidc', 'scim', 'roles']) await stepIn(name, 'todo');
    await look('overview');
    // Keyboard: the first Tab offers to skip to the content; a step opened moves focus to its heading.
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Skip to content');

    // The link is used up: opening it again says so, and the session goes on.
    const again = await watched.context.newPage();
    const reused = await again.goto(link.body.url);
    expect(reused?.status()).toBe(410);
    await again.getByRole('heading', { level: 1, name: 'Setup link already used' }).waitFor();
    await again.getByRole('link', { name: /sign in to the setup portal instead/ }).waitFor();
    await assertAccessible(again, 'used link');
    await shot(again, 'link-used');
    await again.close();
  });

  it('verifies a domain through its TXT record', async () => {
    await step('domains').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Verify your domains' }).waitFor();
    expect(await focused()).toBe('Verify your domains');
    // A public mail domain is refused with the reason, and nothing is added.
    await page.getByRole('textbox', { name: 'Domain', exact: true }).fill('gmail.com');
    await page.click('#add-domain-button');
    await page
      .getByRole('alert')
      .filter({ hasText: /gmail\.com/ })
      .waitFor();
    expect((await gateway.admin.get('/admin/v1/tenants/acme/domains')).body.data).toEqual([]);
    await look('domain-refused');

    await page.getByRole('textbox', { name: 'Domain', exact: true }).fill('acme-corp.example');
    await page.click('#add-domain-button');
    const card = page.locator('#domain-acme-corp-example');
    await card.getByText('Waiting for DNS').waitFor();
    const name = await card.getByRole('textbox', { name: 'Record name (host)' }).inputValue();
    const value = await card.getByRole('textbox', { name: 'Record value' }).inputValue();
    expect(name).toBe('_gateway-verification.acme-corp.example');
    expect(value).toMatch(/^gateway-verification=/);
    await look('domain-added');

    // Not published yet: the portal says what it found, and nothing changes.
    await page.click('#verify-acme-corp-example');
    await card.getByText('Not verified yet.').waitFor();
    await look('domain-not-found');

    dns.setTxt(name, [value]);
    await page.click('#verify-acme-corp-example');
    await card.getByText('Verified', { exact: true }).waitFor();
    await stepIn('domains', 'done');
    await look('domain-verified');
  });

  it('connects Okta and runs a test sign-in in a popup that shows the claims', async () => {
    await step('oidc').click();
    await page.getByRole('heading', { level: 1, name: 'Connect single sign-on' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Sign-in redirect URI', exact: true }).inputValue()).toBe(
      `${gateway.publicUrl}/auth/callback`,
    );
    // The copy buttons put the value on the clipboard.
    await watched.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gateway.publicUrl });
    const copy = page.getByRole('button', { name: /^Cop(y|ied) Sign-in redirect URI$/ });
    await copy.click();
    await copy.getByText('Copied').waitFor();
    expect(await page.evaluate(() => (globalThis as any).navigator.clipboard.readText())).toBe(
      `${gateway.publicUrl}/auth/callback`,
    );
    await look('sign-in-instructions');
    await page.getByRole('tab', { name: 'Microsoft Entra ID' }).click();
    await page.getByText('App registrations').waitFor();
    await page.getByRole('tab', { name: 'Okta' }).click();

    await page.getByLabel('Okta domain or issuer URL').fill(gateway.idp.issuer);
    await page.getByLabel('Client ID').fill(clientId);
    await page.getByLabel('Client secret').fill(clientSecret);
    await page.click('#save-connection');
    await page.getByText('Saved.').waitFor();
    await stepIn('oidc', 'progress');

    const [popup] = await Promise.all([watched.context.waitForEvent('page'), page.click('#start-test-sign-in')]);
    await popup.waitForURL(new RegExp(`^${gateway.idp.origin}/interaction/`));
    await popup.fill('input[name="login"]', 'ada@acme-corp.example');
    await popup.click('#sign-in');
    await page.locator('#test-result').getByText('Test sign-in succeeded.').waitFor({ timeout: 20_000 });
    const claims = page.locator('#test-result table');
    expect(await claims.textContent()).toContain('ada@acme-corp.example');
    await stepIn('oidc', 'done');
    await popup.close().catch(() => undefined);
    await page.locator('#test-result').scrollIntoViewIfNeeded();
    await look('test-sign-in-succeeded');

    // A test sign-in creates no user and no session.
    const users = await gateway.admin.get('/admin/v1/tenants/acme/users');
    expect(users.body.users).toEqual([]);
  });

  let scimToken: string;
  const scim = (method: 'GET' | 'POST', url: string, body?: unknown) =>
    gateway.scim.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${scimToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });

  it('issues a SCIM token once, and turns green when the IdP calls', async () => {
    await step('scim').click();
    await page.getByRole('heading', { level: 1, name: 'Connect provisioning (SCIM)' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'SCIM base URL', exact: true }).inputValue()).toMatch(/\/scim\/v2$/);
    await page.click('#issue-token');
    scimToken = await page.getByRole('textbox', { name: 'API token', exact: true }).inputValue();
    expect(scimToken.length).toBeGreaterThan(20);
    expect(await page.locator('#scim-indicator').getAttribute('data-connected')).toBe('false');
    await look('token-issued-waiting');

    // Okta's "Test API Credentials": one authenticated GET.
    const test = await scim('GET', '/scim/v2/Users?filter=userName%20eq%20%22nobody%40acme-corp.example%22');
    expect(test.statusCode).toBe(200);
    await page.locator('#scim-indicator[data-connected="true"]').waitFor({ timeout: 10_000 });
    await stepIn('scim', 'done');
    await page.locator('#indicator-card').scrollIntoViewIfNeeded();
    await look('indicator-green');

    // The token shown once is gone after a reload.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Connect provisioning (SCIM)' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'API token', exact: true }).count()).toBe(0);

    // Rotation: a new token beside the old one until finished; then only the new one works.
    await page.getByRole('button', { name: /^Rotate/ }).click();
    const rotated = await page.getByRole('textbox', { name: 'API token', exact: true }).inputValue();
    await page.locator('#rotation').getByText('Both tokens work now.').waitFor();
    for (const token of [scimToken, rotated]) {
      const answer = await gateway.scim.inject({
        method: 'GET',
        url: '/scim/v2/Users?count=1',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(answer.statusCode).toBe(200);
    }
    await page.locator('#rotation').scrollIntoViewIfNeeded();
    await look('token-rotation');
    await page.getByRole('button', { name: 'Finish rotation' }).click();
    await page.locator('#rotation').waitFor({ state: 'detached' });
    const old = await gateway.scim.inject({
      method: 'GET',
      url: '/scim/v2/Users?count=1',
      headers: { authorization: `Bearer ${scimToken}` },
    });
    expect(old.statusCode).toBe(401);
    scimToken = rotated;
  });

  it('shows the first users and groups pushed, then maps the group to a role with a preview', async () => {
    const ids: string[] = [];
    for (const [userName, given] of [
      ['ada@acme-corp.example', 'Ada'],
      ['grace@acme-corp.example', 'Grace'],
    ]) {
      const created = await scim('POST', '/scim/v2/Users', {
        schemas: [USER_SCHEMA],
        userName,
        name: { givenName: given, familyName: 'Example' },
        emails: [{ value: userName, type: 'work', primary: true }],
        active: true,
      });
      expect(created.statusCode).toBe(201);
      ids.push(created.json().id);
    }
    const group = await scim('POST', '/scim/v2/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Engineering',
      members: ids.map((value) => ({ value })),
    });
    expect(group.statusCode).toBe(201);
    await page.locator('#first-groups').getByText('Engineering').waitFor({ timeout: 10_000 });
    await page.locator('#first-users').getByText('grace@acme-corp.example').waitFor();
    await page.locator('#first-users').scrollIntoViewIfNeeded();
    await look('first-users-and-groups');

    await step('roles').click();
    await page.getByRole('heading', { level: 1, name: 'Map groups to roles' }).waitFor();
    await page.locator('#group-list').getByText('2 members').waitFor();
    await page.click('#add-rule');
    await page.getByLabel('Group', { exact: true }).fill('Engineering');
    await page.getByLabel('Roles', { exact: true }).fill('editor');
    expect(await page.locator('#save-rules').isDisabled()).toBe(true);
    await page.click('#preview-rules');
    await page.locator('#rules-preview').getByText('2 users gain editor').waitFor();
    expect((await gateway.admin.get('/admin/v1/tenants/acme/group-roles')).body.rules).toEqual([]);
    await look('rules-preview');

    await page.click('#save-rules');
    await page.getByText('Rules saved.').waitFor();
    expect((await gateway.admin.get('/admin/v1/tenants/acme/group-roles')).body.rules).toEqual([
      { group: 'Engineering', roles: ['editor'] },
    ]);
    await stepIn('roles', 'done');
    await look('rules-saved');
  });

  it('shows the activity and the setup guide, and every step done on the overview', async () => {
    await step('logs').click();
    await page.getByRole('heading', { level: 1, name: 'Activity' }).waitFor();
    await page.locator('#scim-requests').getByText('/scim/v2/Groups').first().waitFor({ timeout: 10_000 });
    await look('activity');

    await page.getByRole('link', { name: 'Setup guide' }).click();
    await page.getByRole('heading', { level: 1, name: 'Setup guide' }).waitFor();
    await look('setup-guide');
    // The printable pages, one per IdP, open in a new tab: as accessible as the portal, and with this tenant's values.
    for (const [idp, name] of [
      ['okta', 'Okta'],
      ['entra', 'Microsoft Entra ID'],
    ]) {
      const [printable] = await Promise.all([
        watched.context.waitForEvent('page'),
        page.getByRole('link', { name: `Printable page for ${name} (opens in a new tab)` }).click(),
      ]);
      await printable.waitForLoadState();
      await printable.getByRole('heading', { level: 1 }).waitFor();
      expect(await printable.textContent('body')).toContain(`${gateway.publicUrl}/auth/callback`);
      await assertAccessible(printable, `printable setup guide for ${name}`);
      await shot(printable, `setup-guide-printable-${idp}`);
      await printable.close();
    }
    const markdown = await page.request.get(
      `${gateway.publicUrl}/admin/v1/tenants/acme/setup-guide?idp=okta&format=markdown`,
    );
    expect(markdown.status()).toBe(200);
    expect(await markdown.text()).toContain(`${gateway.publicUrl}/auth/callback`);

    await page.locator('a.brand').click();
    await page.getByText('4 of 4 steps done').waitFor();
    await look('all-done');
    watched.assertClean();
  });

  it('reads well on a phone', async () => {
    const phone = await browser.newContext({
      viewport: PHONE,
      deviceScaleFactor: 1,
      storageState: await watched.context.storageState(),
    });
    const small = await phone.newPage();
    for (const [path, heading] of [
      ['/portal', 'Set up Acme Corp'],
      ['/portal/provisioning', 'Connect provisioning (SCIM)'],
      ['/portal/roles', 'Map groups to roles'],
    ]) {
      await small.goto(`${gateway.publicUrl}${path}`);
      await small.getByRole('heading', { level: 1, name: heading }).waitFor();
      // Nothing wider than the screen: no sideways scrolling of the page.
      expect(await small.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        PHONE.width,
      );
      await assertAccessible(small, `phone ${path}`);
      await shot(small, `phone${path.replace(/\//g, '-')}`);
    }
    await phone.close();
  });

  it('shows only the steps a link opens', async () => {
    const link = await gateway.admin.post('/admin/v1/tenants/acme/setup-links', { scopes: ['scim', 'logs'] });
    expect(link.status).toBe(201);
    const scoped = await newWatchedContext(browser);
    const visitor = await scoped.context.newPage();
    await visitor.goto(link.body.url);
    await visitor.getByRole('heading', { level: 1, name: 'Set up Acme Corp' }).waitFor();
    expect(
      await visitor.locator('[data-step]').evaluateAll((links) => links.map((a) => a.getAttribute('data-step'))),
    ).toEqual(['scim', 'logs']);
    // A step outside the link is not offered, even by its address.
    await visitor.goto(`${gateway.publicUrl}/portal/roles`);
    await visitor.getByRole('heading', { level: 1, name: 'Set up Acme Corp' }).waitFor();
    expect(await visitor.getByText('Map groups to roles').count()).toBe(0);
    await assertAccessible(visitor, 'scoped link');
    await shot(visitor, 'scoped-link');
    // Leaving ends the session here and now (a shared computer): the portal's door says so.
    await visitor.getByRole('button', { name: 'Leave' }).click();
    await visitor.getByText('You have left the setup portal.').waitFor();
    await visitor.getByRole('heading', { level: 1, name: 'Open the setup portal' }).waitFor();
    expect((await visitor.request.get(`${gateway.publicUrl}/portal/api/session`)).status()).toBe(401);
    expect((await scoped.context.cookies()).map((cookie) => cookie.name)).not.toContain('gw_portal');
    await assertAccessible(visitor, 'left the portal');
    scoped.assertClean();
    await scoped.context.close();
  });

  /** Opens /portal without a session and signs in there as `email`, through the IdP and back. */
  const signInAtPortal = async (visitor: Page, email: string) => {
    await visitor.goto(`${gateway.publicUrl}/portal`);
    await visitor.getByRole('heading', { level: 1, name: 'Open the setup portal' }).waitFor();
    await visitor.getByRole('textbox', { name: 'Work email' }).fill(email);
    await Promise.all([
      visitor.waitForURL(new RegExp(`^${gateway.idp.origin}/interaction/`)),
      visitor.click('#admin-sign-in'),
    ]);
    await visitor.fill('input[name="login"]', email);
    await Promise.all([visitor.waitForURL(`${gateway.publicUrl}/portal`), visitor.click('#sign-in')]);
  };

  it("lets the tenant's own administrator sign in from the portal's door, into their tenant only", async () => {
    const users = await gateway.admin.get('/admin/v1/tenants/acme/users');
    const ada = users.body.users.find((user: any) => user.userName === 'ada@acme-corp.example');
    expect((await gateway.admin.put(`/admin/v1/tenants/acme/users/${ada.id}/roles`, { roles: ['admin'] })).status).toBe(
      200,
    );
    expect((await gateway.admin.post('/admin/v1/tenants', { slug: 'globex', name: 'Globex' })).status).toBe(201);
    const admin = await newWatchedContext(browser);
    const visitor = await admin.context.newPage();
    await visitor.goto(`${gateway.publicUrl}/portal`);
    await visitor.getByRole('heading', { level: 1, name: 'Open the setup portal' }).waitFor();
    expect(await visitor.textContent('body')).toMatch(/ask your contact at the vendor for a new one/);
    await assertAccessible(visitor, 'the portal door');
    await shot(visitor, 'door');

    // The gateway finds the organization by the email's domain (acme-corp.example, verified above).
    await signInAtPortal(visitor, 'ada@acme-corp.example');
    await visitor.getByRole('heading', { level: 1, name: 'Set up Acme Corp' }).waitFor();
    expect(await visitor.locator('.session-badge').textContent()).toContain('Signed in');
    expect(await visitor.locator('[data-step]').count()).toBe(5);
    await visitor.locator('[data-step="scim"][data-state="done"]').waitFor();
    // The test sign-in ran in another browser: the gateway's record of it proves the step here too.
    await visitor.locator('[data-step="oidc"][data-state="done"]').waitFor();
    await visitor.getByText('4 of 4 steps done').waitFor();
    await assertAccessible(visitor, 'signed-in administrator');
    await shot(visitor, 'administrator-signed-in');
    await visitor.locator('[data-step="oidc"]').click();
    await visitor
      .locator('#latest-test')
      .getByText(/The last test sign-in succeeded/)
      .waitFor();
    // Their own tenant only: another tenant's API answers 403, and nothing of it shows.
    expect((await visitor.request.get(`${gateway.publicUrl}/admin/v1/tenants/acme/scim-tokens`)).status()).toBe(200);
    for (const path of ['', '/scim-tokens', '/oidc', '/users']) {
      expect((await visitor.request.get(`${gateway.publicUrl}/admin/v1/tenants/globex${path}`)).status()).toBe(403);
    }
    // A sign-in ends where every sign-in ends.
    await visitor.getByRole('button', { name: 'Sign out' }).click();
    await visitor.waitForURL((url) => !url.href.startsWith(`${gateway.publicUrl}/portal`));
    expect((await visitor.request.get(`${gateway.publicUrl}/auth/me`)).status()).toBe(401);
    admin.assertClean();
    await admin.context.close();
  });

  it('tells a signed-in person who is not an administrator why the portal stays shut, and lets them sign out', async () => {
    const member = await newWatchedContext(browser);
    const visitor = await member.context.newPage();
    await signInAtPortal(visitor, 'grace@acme-corp.example');
    await visitor.getByRole('heading', { level: 1, name: 'This account cannot open the setup portal' }).waitFor();
    const text = await visitor.textContent('main');
    expect(text).toContain('grace@acme-corp.example');
    expect(text).toContain('Acme Corp');
    expect(text).toContain('the role admin');
    expect(await visitor.locator('[data-step]').count()).toBe(0);
    await assertAccessible(visitor, 'not an administrator');
    await shot(visitor, 'not-administrator');
    await visitor.click('#sign-out');
    await visitor.waitForURL((url) => !url.href.startsWith(`${gateway.publicUrl}/portal`));
    expect((await visitor.request.get(`${gateway.publicUrl}/auth/me`)).status()).toBe(401);
    member.assertClean();
    await member.context.close();
  });

  it('refuses an email whose domain no organization uses, saying so, and starts no sign-in', async () => {
    const stranger = await newWatchedContext(browser);
    const visitor = await stranger.context.newPage();
    await visitor.goto(`${gateway.publicUrl}/portal`);
    await visitor.getByRole('textbox', { name: 'Work email' }).fill('someone@nowhere.example');
    const [answer] = await Promise.all([
      visitor.waitForResponse((response) => response.url().includes('/auth/login')),
      visitor.click('#admin-sign-in'),
    ]);
    expect(answer.status()).toBe(404);
    await visitor.getByRole('heading', { name: 'Unknown email domain' }).waitFor();
    expect(await visitor.textContent('body')).toContain('@nowhere.example');
    expect((await stranger.context.cookies()).map((cookie) => cookie.name)).toEqual([]);
    await stranger.context.close();

    // The door reads well on a phone too.
    const phone = await newWatchedContext(browser, PHONE);
    const small = await phone.context.newPage();
    await small.goto(`${gateway.publicUrl}/portal`);
    await small.getByRole('heading', { level: 1, name: 'Open the setup portal' }).waitFor();
    expect(await small.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      PHONE.width,
    );
    await assertAccessible(small, 'phone door');
    await shot(small, 'phone-door');
    phone.assertClean();
    await phone.context.close();
  });

  it('says the session has ended when it ends while the portal is open', async () => {
    const link = await gateway.admin.post('/admin/v1/tenants/acme/setup-links', { scopes: ['scim'] });
    const ending = await newWatchedContext(browser);
    const visitor = await ending.context.newPage();
    await visitor.goto(link.body.url);
    await visitor.goto(`${gateway.publicUrl}/portal/provisioning`);
    await visitor.locator('#scim-indicator').waitFor();
    // The indicator asks every 2 s: its next question finds the session gone.
    await ending.context.clearCookies();
    await visitor.getByRole('heading', { name: 'Your setup session has ended' }).waitFor({ timeout: 10_000 });
    expect(await visitor.textContent('main')).toContain('ask your contact at the vendor for a new one');
    await visitor.getByRole('textbox', { name: 'Work email' }).waitFor();
    await assertAccessible(visitor, 'session ended');
    await shot(visitor, 'session-ended');
    ending.assertClean();
    await ending.context.close();
  });
});
