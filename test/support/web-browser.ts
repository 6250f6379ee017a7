import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, Page, chromium } from 'playwright-core';

/** Debian's package by default (CI installs it); CHROMIUM_PATH points at another. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const LAPTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/**
 * A browser context whose pages fail the test on what a user would not see
 * fail: a script error, or anything the CSP refused (an inline style or script
 * slipped into the front end). Both are collected and checked by `assertClean`.
 */
export async function newWatchedContext(
  browser: Browser,
  viewport: { width: number; height: number } = LAPTOP,
): Promise<WatchedContext> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'en-GB', timezoneId: 'UTC' });
  const problems: string[] = [];
  const watch = (page: Page) => {
    page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      const text = message.text();
      if (/Content Security Policy|Refused to (apply|execute|load)/i.test(text))
        problems.push(`${page.url()}: ${text}`);
    });
  };
  context.on('page', watch);
  return {
    context,
    problems,
    assertClean() {
      if (problems.length > 0) throw new Error(`the pages reported problems:\n${problems.join('\n')}`);
    },
  };
}

export interface WatchedContext {
  readonly context: BrowserContext;
  readonly problems: string[];
  assertClean(): void;
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core on the page as it is now and fails on serious or critical
 * violations of WCAG 2.x A/AA. The page's CSP forbids inline scripts, so axe
 * is evaluated through the DevTools protocol (which the CSP does not govern)
 * rather than added as a script tag.
 */
export async function assertAccessible(page: Page, what: string): Promise<void> {
  // The callbacks run in the page (its globals, typed loosely here: this project compiles without DOM types).
  const hasAxe = await page.evaluate(() => typeof (globalThis as any).axe !== 'undefined');
  if (!hasAxe) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const win = globalThis as any;
    const result = await win.axe.run(win.document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return (result.violations as any[])
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`);
  });
  if (violations.length > 0) throw new Error(`accessibility of ${what}:\n${violations.join('\n')}`);
}

/** Where a test's screenshots go: test-output/screenshots/<folder>/ (git-ignored). */
export function screenshotFolder(folder: string): string {
  const dir = join(__dirname, '..', '..', 'test-output', 'screenshots', folder);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A numbered screenshot of what is on screen (the viewport only: small files, what the person sees first). */
export function screenshots(folder: string): (page: Page, name: string) => Promise<void> {
  const dir = screenshotFolder(folder);
  // This run's pictures only: an earlier run's, numbered differently, would mislead.
  for (const file of readdirSync(dir)) if (file.endsWith('.png')) rmSync(join(dir, file));
  let n = 0;
  return async (page, name) => {
    n += 1;
    // Animations and the caret would differ from run to run.
    await page.screenshot({
      path: join(dir, `${String(n).padStart(2, '0')}-${name}.png`),
      animations: 'disabled',
      caret: 'hide',
    });
  };
}
