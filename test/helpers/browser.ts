// A real headless Chromium (Debian's `chromium`) driven by playwright-core, for the dashboard's
// tests. Where it is missing those tests are skipped, unless HYPERTUNE_REQUIRE_TOOLS names
// `chromium` (CI), where they fail (requirements.ts). Screenshots go to artifacts/screenshots/
// (CI keeps them).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { requiredBy, requireOrSkip } from './requirements.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(process.cwd(), 'artifacts', 'screenshots');

/** Whether the browser tests run: skipped where Chromium is missing, failing where it is required. */
export const chromiumAvailable = requireOrSkip('Chromium', existsSync(CHROMIUM_PATH) ? undefined : `no Chromium at ${CHROMIUM_PATH} (Debian: apt-get install chromium)`,
  requiredBy('TOOLS', 'chromium'));

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/**
 * What went wrong inside the page: uncaught errors, console errors (CSP violations are reported
 * there) and failed requests. A test asserts it stays empty.
 */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console: ${msg.text()}`); });
  page.on('requestfailed', (req) => {
    // Leaving a page aborts its open event stream: not a failure.
    if (!req.url().endsWith('/events')) problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`);
  });
  return problems;
}

/** `settleMs`: time for charts to finish their animation first (the prediction bars take 300 ms). */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean; path?: string; settleMs?: number } = {}): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  if (opts.settleMs) await page.waitForTimeout(opts.settleMs);
  const path = opts.path ?? join(SCREENSHOT_DIR, `${name}.png`);
  const fullPage = opts.fullPage ?? true;
  // Scrolled, a full-page capture would draw the sticky top bar in the middle of the page.
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage });
  return path;
}
