import { Browser, Page } from 'playwright-core';
import { SignInGateway, SignInTenant, startSignInGateway } from '../support/sign-in-gateway';
import { USER_SCHEMA } from '../support/scim-client';
import { WebhookReceiver, eventually, startWebhookReceiver } from '../support/webhook-receiver';
import {
  PHONE,
  WatchedContext,
  assertAccessible,
  launchChromium,
  newWatchedContext,
  screenshots,
} from '../support/web-browser';

/**
 * The operator console in a real Chromium against the real apps: sign in with
 * the admin token, the tenants' health, a tenant's tokens, connection, users,
 * rules and setup links, a subscription's deliveries with retry, replay and a
 * test event, and the queues. Every page passes axe-core; screenshots go to
 * test-output/screenshots/console/.
 */
describe('the operator console', () => {
  let gateway: SignInGateway;
  let globex: SignInTenant;
  let receiver: WebhookReceiver;
  let browser: Browser;
  let watched: WatchedContext;
  let page: Page;
  const shot = screenshots('console');
  const look = async (name: string) => {
    await assertAccessible(page, name);
    await shot(page, name);
  };
  const heading = (name: string) => page.getByRole('heading', { level: 1, name }).waitFor();

  beforeAll(async () => {
    gateway = await startSignInGateway({ accounts: [{ sub: '00u-ada', email: 'ada@globex.example', name: 'Ada' }] });
    globex = await gateway.tenant('globex');
    // The first delivery is refused for good (400), the rest accepted: one failed delivery to retry.
    receiver = await startWebhookReceiver((index) => (index === 0 ? 400 : 204));
    const sub = await gateway.admin.post('/admin/v1/subscriptions', {
      name: 'Wiki',
      url: receiver.url,
      events: ['user.*'],
      tenant: 'globex',
    });
    expect(sub.status).toBe(201);
    for (const userName of ['ada@globex.example', 'grace@globex.example']) {
      const created = await globex.send('POST', '/scim/v2/Users', {
        schemas: [USER_SCHEMA],
        userName,
        emails: [{ value: userName, primary: true }],
        active: true,
      });
      expect(created.status).toBe(201);
    }
    await eventually(() => receiver.received.length >= 2, 15_000, 'both deliveries attempted');
    browser = await launchChromium();
    watched = await newWatchedContext(browser);
    page = await watched.context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await receiver?.close();
  });

  it('signs in with the admin token, refusing a wrong one', async () => {
    await page.goto(`${gateway.publicUrl}/console`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.getByText('session has ended').count()).toBe(0);
    await look('sign-in');
    await page.getByLabel('Admin token').fill('not-the-token');
    await page.click('#console-sign-in');
    await page.getByText('That admin token is not right.').waitFor();
    await page.getByLabel('Admin token').fill(gateway.config.adminToken);
    await page.click('#console-sign-in');
    await heading('Tenants');
    const cookies = await watched.context.cookies();
    const session = cookies.find((cookie) => cookie.name === 'gw_console');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    // The token itself is nowhere in the browser.
    expect(JSON.stringify(cookies)).not.toContain(gateway.config.adminToken);
  });

  it('lists the tenants with their health', async () => {
    const row = page.locator('#tenants-table tr', { hasText: 'globex' });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/healthy|errors/);
    await look('tenants');
  });

  it("shows a tenant's tokens, connection, users, rules and setup links", async () => {
    await page
      .locator('#tenants-table')
      .getByRole('link', { name: /globex/i })
      .click();
    await page.getByRole('navigation', { name: 'Tenant sections' }).waitFor();
    await page.getByRole('textbox', { name: 'SCIM base URL', exact: true }).waitFor();
    await page.locator('#tenant-domains').getByText('globex.example').waitFor();
    await look('tenant-overview');

    await page.getByRole('link', { name: 'SCIM tokens' }).click();
    await page.locator('#scim-tokens').getByText('active').first().waitFor();
    await page.click('#console-issue-token');
    expect(await page.getByRole('textbox', { name: 'SCIM token', exact: true }).inputValue()).toMatch(/.{20,}/);
    await look('tenant-tokens');

    await page.getByRole('link', { name: 'Sign-in', exact: true }).click();
    await page.locator('#oidc-connection').getByText(gateway.idp.issuer).waitFor();
    await look('tenant-sign-in');

    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('button', { name: 'Edit ada@globex.example' }).click();
    await page.getByLabel('Roles of ada@globex.example').fill('admin, billing');
    await page.getByLabel('Teams').fill('core');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('#users-table tr', { hasText: 'ada@globex.example' }).getByText('billing').waitFor();
    const users = await gateway.admin.get('/admin/v1/tenants/globex/users');
    const ada = users.body.users.find((user: any) => user.userName === 'ada@globex.example');
    expect(ada).toMatchObject({ roles: ['admin', 'billing'], teams: ['core'] });
    await look('tenant-users');

    await page.getByRole('link', { name: 'Rules', exact: true }).click();
    await page.click('#add-rule');
    await page.getByLabel('Group', { exact: true }).fill('Admins');
    await page.getByLabel('Roles', { exact: true }).fill('admin');
    await page.click('#preview-rules');
    await page.locator('#rules-preview').waitFor();
    await page.click('#save-rules');
    await page.getByText('Rules saved.').waitFor();
    await look('tenant-rules');

    await page.getByRole('link', { name: 'Setup links' }).click();
    // The tenant's administrators' own way into the portal: their sign-in, returning to it.
    const adminSignIn = await page
      .getByRole('textbox', { name: 'Portal sign-in for administrators', exact: true })
      .inputValue();
    expect(adminSignIn).toBe(
      `${gateway.publicUrl}/auth/login?tenant=globex&return_to=${encodeURIComponent(`${gateway.publicUrl}/portal`)}`,
    );
    const started = await page.request.get(adminSignIn, { maxRedirects: 0 });
    expect(started.status()).toBe(302);
    expect(started.headers().location).toMatch(new RegExp(`^${gateway.idp.origin}/`));
    await page.getByLabel('For (email, optional)').fill('it@globex.example');
    await page.getByLabel('Provisioning').uncheck();
    await page.click('#create-setup-link');
    const url = await page.getByRole('textbox', { name: 'Setup link', exact: true }).inputValue();
    expect(url).toMatch(new RegExp(`^${gateway.publicUrl}/setup/`));
    const row = page.locator('#setup-links-table tr', { hasText: 'it@globex.example' });
    await row.getByText('active').waitFor();
    await look('tenant-setup-links');
    await row.getByRole('button', { name: /Revoke/ }).click();
    await row.getByText('revoked').waitFor();
    // The revoked link opens nothing.
    const opened = await page.request.get(url, { maxRedirects: 0 });
    expect(opened.status()).toBe(410);
  });

  it("shows a subscription's deliveries, retries a failed one, replays, and sends a test event", async () => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Subscriptions' }).click();
    await heading('Subscriptions');
    await look('subscriptions');
    await page.locator('#subscriptions-table').getByRole('link', { name: 'Wiki' }).click();
    await heading('Wiki');
    const failed = page.locator('#deliveries-table tr', { hasText: 'failed' });
    await failed.first().waitFor();
    await look('subscription');

    await page.getByLabel('Status').selectOption('failed');
    await failed.getByRole('button', { name: /Retry/ }).click();
    await eventually(() => receiver.accepted().length >= 2, 15_000, 'the retried delivery accepted');

    await page.click('#send-test');
    await page.getByText(/The receiver answered 204/).waitFor();

    await page.getByRole('button', { name: 'Replay' }).click();
    await page.getByText(/queued again/).waitFor();
    await look('subscription-actions');
  });

  it('shows the audit log and the queues, reads well on a phone, and signs out', async () => {
    // What the console did above is in the audit log, by whom, for which tenant.
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Audit' }).click();
    await heading('Audit log');
    const issued = page.locator('#audit-table tr', { hasText: 'scim-tokens.issue' });
    await issued.first().waitFor();
    expect(await issued.first().textContent()).toMatch(/console.*operator.*globex.*201/);
    await page.getByLabel('Tenant').selectOption('globex');
    await page.locator('#audit-table tr', { hasText: 'setup-links.create' }).first().waitFor();
    const tenantsShown = await page.locator('#audit-table tbody tr td:nth-child(4)').allTextContents();
    expect(new Set(tenantsShown)).toEqual(new Set(['globex']));
    await look('audit');

    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Queues' }).click();
    await heading('Queues');
    await page.locator('#queues-table').waitFor();
    await look('queues');

    const phone = await browser.newContext({
      viewport: PHONE,
      deviceScaleFactor: 1,
      storageState: await watched.context.storageState(),
    });
    const small = await phone.newPage();
    for (const [path, name] of [
      ['/console', 'Tenants'],
      ['/console/tenants/globex', 'Globex'],
    ]) {
      await small.goto(`${gateway.publicUrl}${path}`);
      await small.getByRole('heading', { level: 1, name: new RegExp(name, 'i') }).waitFor();
      await assertAccessible(small, `phone ${path}`);
      await shot(small, `phone${path.replace(/\//g, '-')}`);
    }
    await phone.close();

    await page.click('#sign-out');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const after = await page.request.get(`${gateway.publicUrl}/console/api/session`);
    expect(after.status()).toBe(401);
    watched.assertClean();
  });

  it('says so when the session ends while the console is open', async () => {
    await page.getByLabel('Admin token').fill(gateway.config.adminToken);
    await page.click('#console-sign-in');
    await heading('Queues');
    // The queues page asks every 5 s: its next question finds the session gone.
    await watched.context.clearCookies();
    await page.getByText('Your console session has ended. Sign in again.').waitFor({ timeout: 10_000 });
    await look('session-ended');
  });

  it("tells a tenant's signed-in administrator that only the admin token opens the console here", async () => {
    const other = await newWatchedContext(browser);
    const visitor = await other.context.newPage();
    const returnTo = encodeURIComponent(`${gateway.publicUrl}/console`);
    await visitor.goto(`${gateway.publicUrl}/auth/login?tenant=globex&return_to=${returnTo}`);
    await visitor.fill('input[name="login"]', 'ada@globex.example');
    await Promise.all([visitor.waitForURL(`${gateway.publicUrl}/console`), visitor.click('#sign-in')]);
    const note = visitor.locator('#not-operator');
    await note.waitFor();
    // Ada administers globex (roles admin, billing): that opens its portal, not the console.
    expect(await note.textContent()).toContain('You are signed in as ada@globex.example (globex)');
    expect(await note.textContent()).toContain('Only the admin token opens this console.');
    expect(await visitor.getByRole('link', { name: /^Sign in with/ }).count()).toBe(0);
    expect((await visitor.request.get(`${gateway.publicUrl}/admin/v1/tenants`)).status()).toBe(401);
    await assertAccessible(visitor, 'not an operator, no operators tenant');
    other.assertClean();
    await other.context.close();
  });
});

/** With OPERATORS_TENANT set, an operator of that tenant opens the console through the gateway's own sign-in. */
describe("the operator console, signed in as a member of the operators' tenant", () => {
  let gateway: SignInGateway;
  let browser: Browser;

  beforeAll(async () => {
    gateway = await startSignInGateway({
      accounts: [
        { sub: '00u-olga', email: 'olga@ops.example', name: 'Olga' },
        { sub: '00u-otto', email: 'otto@ops.example', name: 'Otto' },
        { sub: '00u-gus', email: 'gus@globex.example', name: 'Gus' },
      ],
      config: { operatorsTenant: 'ops' },
    });
    const ops = await gateway.tenant('ops');
    await gateway.tenant('globex');
    const patched = await gateway.admin.patch('/admin/v1/tenants/ops', { name: 'Vendor operations' });
    expect(patched.status).toBe(200);
    // Provisioned before her first sign-in (linked by the IdP's sub as externalId), and granted the role.
    const olga = await ops.send('POST', '/scim/v2/Users', {
      schemas: [USER_SCHEMA],
      userName: 'olga@ops.example',
      externalId: '00u-olga',
      emails: [{ value: 'olga@ops.example', primary: true }],
      active: true,
    });
    expect(olga.status).toBe(201);
    const granted = await gateway.admin.put(`/admin/v1/tenants/ops/users/${olga.body.id}/roles`, {
      roles: ['operator'],
    });
    expect(granted.status).toBe(200);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  it('offers "Sign in with <tenant>", which leads through the IdP back into the console', async () => {
    const watched = await newWatchedContext(browser);
    const page = await watched.context.newPage();
    const shot = screenshots('console/operators-tenant');
    await page.goto(`${gateway.publicUrl}/console`);
    const offer = page.getByRole('link', { name: 'Sign in with Vendor operations' });
    await offer.waitFor();
    await assertAccessible(page, 'operators sign-in');
    await shot(page, 'operators-sign-in');

    await Promise.all([page.waitForURL(new RegExp(`^${gateway.idp.origin}/interaction/`)), offer.click()]);
    await page.fill('input[name="login"]', 'olga@ops.example');
    await Promise.all([page.waitForURL(`${gateway.publicUrl}/console`), page.click('#sign-in')]);
    await page.getByRole('heading', { level: 1, name: 'Tenants' }).waitFor();
    expect(await page.locator('.topbar-user').textContent()).toContain('olga@ops.example');
    await page.locator('#tenants-table').getByText('Vendor operations').waitFor();
    watched.assertClean();
    await watched.context.close();
  });

  it('tells a member of the operators tenant without the role why the console stays shut, and lets them sign out', async () => {
    const watched = await newWatchedContext(browser);
    const page = await watched.context.newPage();
    const shot = screenshots('console/not-operator');
    await page.goto(`${gateway.publicUrl}/console`);
    await Promise.all([
      page.waitForURL(new RegExp(`^${gateway.idp.origin}/interaction/`)),
      page.getByRole('link', { name: 'Sign in with Vendor operations' }).click(),
    ]);
    await page.fill('input[name="login"]', 'otto@ops.example');
    await Promise.all([page.waitForURL(`${gateway.publicUrl}/console`), page.click('#sign-in')]);
    const note = page.locator('#not-operator');
    await note.waitFor();
    expect(await note.textContent()).toContain(
      'You are signed in as otto@ops.example (Vendor operations), who is not an operator',
    );
    expect(await note.textContent()).toContain('does not have the role "operator" in Vendor operations');
    // Signing in the same way again would change nothing: not offered; the admin token still is.
    expect(await page.getByRole('link', { name: 'Sign in with Vendor operations' }).count()).toBe(0);
    await page.getByLabel('Admin token').waitFor();
    expect((await page.request.get(`${gateway.publicUrl}/admin/v1/tenants`)).status()).toBe(401);
    await assertAccessible(page, 'not an operator');
    await shot(page, 'member-without-role');

    await page.getByRole('link', { name: 'Sign out otto@ops.example' }).click();
    await page.waitForURL((url) => !url.href.startsWith(`${gateway.publicUrl}/console`));
    expect((await page.request.get(`${gateway.publicUrl}/auth/me`)).status()).toBe(401);
    watched.assertClean();
    await watched.context.close();
  });

  it("tells a member of another tenant that only the operators' tenant opens the console", async () => {
    const watched = await newWatchedContext(browser);
    const page = await watched.context.newPage();
    const shot = screenshots('console/other-tenant');
    const returnTo = encodeURIComponent(`${gateway.publicUrl}/console`);
    await page.goto(`${gateway.publicUrl}/auth/login?tenant=globex&return_to=${returnTo}`);
    await page.fill('input[name="login"]', 'gus@globex.example');
    await Promise.all([page.waitForURL(`${gateway.publicUrl}/console`), page.click('#sign-in')]);
    const note = page.locator('#not-operator');
    await note.waitFor();
    expect(await note.textContent()).toContain(
      'Only members of Vendor operations with the role "operator" open this console.',
    );
    // The operators' sign-in is offered: it replaces this session.
    await page.getByRole('link', { name: 'Sign in with Vendor operations' }).waitFor();
    await assertAccessible(page, 'member of another tenant');
    await shot(page, 'member-of-another-tenant');
    watched.assertClean();
    await watched.context.close();
  });
});
