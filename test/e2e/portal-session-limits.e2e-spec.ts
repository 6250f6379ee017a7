import { Browser } from 'playwright-core';
import { SignInGateway, startSignInGateway } from '../support/sign-in-gateway';
import { assertAccessible, launchChromium, newWatchedContext, screenshots } from '../support/web-browser';

/** Limits short enough for a test (PORTAL_SESSION_IDLE_MINUTES and PORTAL_SESSION_MAX_HOURS, in milliseconds). */
const IDLE_MS = 2_500;
const ABSOLUTE_MS = 6_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

interface Answer {
  readonly status: number;
  readonly body: any;
  readonly setCookie: string[];
}

/**
 * The idle and absolute limits of setup-portal sessions and of console sessions opened
 * with the admin token, with the limits shortened by configuration: a session unused for
 * the idle time ends; one in use outlives it and still ends at the absolute limit; and the
 * pages say so when it happens under them.
 */
describe('setup-portal and console sessions end at their limits', () => {
  let gw: SignInGateway;
  let browser: Browser;

  beforeAll(async () => {
    gw = await startSignInGateway({ config: { portalSessions: { idleMs: IDLE_MS, absoluteMs: ABSOLUTE_MS } } });
    await gw.tenant('acme');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  async function call(method: string, path: string, cookie?: string, body?: unknown): Promise<Answer> {
    const response = await fetch(`${gw.publicUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text.startsWith('{') ? JSON.parse(text) : undefined,
      setCookie: response.headers.getSetCookie(),
    };
  }

  /** A browser session of `kind`: its cookie, the Set-Cookie that made it, and when it began (by the server's clock). */
  async function start(kind: 'portal' | 'console') {
    let opened: Answer;
    if (kind === 'portal') {
      const link = await gw.admin.post('/admin/v1/tenants/acme/setup-links', {});
      expect(link.status).toBe(201);
      opened = await call('GET', new URL(link.body.url as string).pathname);
      expect(opened.status).toBe(302);
    } else {
      opened = await call('POST', '/console/api/session', undefined, { adminToken: gw.config.adminToken });
      expect(opened.status).toBe(201);
    }
    const setCookie = opened.setCookie.find((cookie) => cookie.startsWith(`gw_${kind}=`))!;
    const cookie = setCookie.split(';')[0];
    const session = await call('GET', `/${kind}/api/session`, cookie);
    expect(session.status).toBe(200);
    // Unused since it began: it ends an idle time after it began (or after this request, on a slow machine).
    const startedAt = Date.parse(session.body.expiresAt as string) - IDLE_MS;
    return { cookie, setCookie, startedAt };
  }

  /** A request each kind of session may make to the admin API. */
  const adminRead = (kind: 'portal' | 'console') =>
    kind === 'portal' ? '/admin/v1/tenants/acme' : '/admin/v1/tenants';

  describe.each(['portal', 'console'] as const)('a %s session', (kind) => {
    it('ends when unused for the idle time; its cookie lasts no longer than the absolute limit', async () => {
      const { cookie, setCookie, startedAt } = await start(kind);
      expect(setCookie).toMatch(new RegExp(`Max-Age=${ABSOLUTE_MS / 1000}(;|$)`));
      expect(Math.abs(startedAt - Date.now())).toBeLessThan(2_000);
      await sleep(startedAt + IDLE_MS + 300 - Date.now());
      expect((await call('GET', `/${kind}/api/session`, cookie)).status).toBe(401);
      expect((await call('GET', adminRead(kind), cookie)).status).toBe(401);
    });

    it('outlives the idle time while in use, and ends at the absolute limit however busy', async () => {
      const { cookie, startedAt } = await start(kind);
      let uses = 0;
      while (Date.now() < startedAt + ABSOLUTE_MS - 800) {
        expect((await call('GET', adminRead(kind), cookie)).status).toBe(200);
        uses += 1;
        await sleep(400);
      }
      // Used past twice the idle time: only use kept it.
      expect(Date.now() - startedAt).toBeGreaterThan(2 * IDLE_MS);
      expect(uses).toBeGreaterThan(5);
      const last = await call('GET', `/${kind}/api/session`, cookie);
      expect(last.status).toBe(200);
      // Near the end, its end is the absolute limit, not an idle time from now. (`startedAt` may be a
      // little late: a slow first request records use, and the idle end it shows moves with it.)
      const endsAt = Date.parse(last.body.expiresAt as string);
      expect(endsAt).toBeLessThan(Date.now() + IDLE_MS - 300);
      expect(endsAt).toBeLessThanOrEqual(startedAt + ABSOLUTE_MS);
      expect(endsAt).toBeGreaterThan(startedAt + ABSOLUTE_MS - 1_000);
      await sleep(startedAt + ABSOLUTE_MS + 200 - Date.now());
      expect((await call('GET', adminRead(kind), cookie)).status).toBe(401);
      expect((await call('GET', `/${kind}/api/session`, cookie)).status).toBe(401);
    });
  });

  it('keeps the portal open while a page polls, and says the session has ended at the absolute limit', async () => {
    const watched = await newWatchedContext(browser);
    const page = await watched.context.newPage();
    const link = await gw.admin.post('/admin/v1/tenants/acme/setup-links', { scopes: ['scim'] });
    // The session begins after this (by the server's clock as by this one: both are this machine's).
    const before = Date.now();
    await page.goto(link.body.url as string);
    // The provisioning step asks every 2 s, within the idle time: the session lives on.
    await page.goto(`${gw.publicUrl}/portal/provisioning`);
    await page.locator('#scim-indicator').waitFor();
    await sleep(before + IDLE_MS + 1_500 - Date.now());
    expect(await page.getByRole('heading', { level: 1, name: 'Connect provisioning (SCIM)' }).count()).toBe(1);
    await page
      .getByRole('heading', { level: 1, name: 'Your setup session has ended' })
      .waitFor({ timeout: ABSOLUTE_MS });
    expect(Date.now()).toBeGreaterThanOrEqual(before + ABSOLUTE_MS);
    await assertAccessible(page, 'portal session ended at its limit');
    await screenshots('portal/session-limits')(page, 'absolute-limit');
    watched.assertClean();
    await watched.context.close();
  });

  it('says the console session has ended when it was left unused for the idle time', async () => {
    const watched = await newWatchedContext(browser);
    const page = await watched.context.newPage();
    await page.goto(`${gw.publicUrl}/console`);
    await page.getByLabel('Admin token').fill(gw.config.adminToken);
    await page.click('#console-sign-in');
    await page.getByRole('heading', { level: 1, name: 'Tenants' }).waitFor();
    const signedInAt = Date.now();
    // The tenants page asks nothing more: after the idle time, the next page finds the session gone.
    await sleep(signedInAt + IDLE_MS + 1_000 - Date.now());
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Queues' }).click();
    await page.getByText('Your console session has ended. Sign in again.').waitFor();
    expect(Date.now()).toBeLessThan(signedInAt + ABSOLUTE_MS);
    await assertAccessible(page, 'console session ended when idle');
    await screenshots('console/session-limits')(page, 'idle-limit');
    watched.assertClean();
    await watched.context.close();
  });
});
