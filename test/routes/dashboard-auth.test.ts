// The dashboard with authentication on: its page and files are served without a key and nothing
// else is; in a real headless Chromium the page loads without a key, asks for one, keeps it and
// lists that tenant's searches. Screenshots: artifacts/screenshots/auth-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinySearch } from '../fixtures/reference-search.js';
import { chromiumAvailable, launchChromium, pageProblems, screenshot } from '../helpers/browser.js';
import { listen, startHarness, type Harness } from '../helpers/harness.js';

describe('dashboard with authentication on', () => {
  const ADMIN = `admin-key-${'d'.repeat(32)}`;
  let h: Harness;
  let base: string;

  beforeAll(async () => {
    h = await startHarness('sqlite', { ADMIN_API_KEY: ADMIN });
    base = await listen(h);
  });
  afterAll(async () => { await h?.close(); });

  it('serves the page and its files without a key, and nothing else', async () => {
    const page = await h.request.get('/').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/); // helmet's policy holds for the page too
    expect(page.text).toContain('/dashboard/app.js');
    for (const file of ['app.js', 'api.js', 'search-view.js', 'styles.css', 'vendor/echarts.min.js', 'vendor/eventsource-parser.js']) await h.request.get(`/dashboard/${file}`).expect(200);
    expect((await h.request.get('/dashboard/app.js')).headers['content-type']).toMatch(/javascript/);
    await h.request.get('/dashboard/nope.js').expect(404);
    expect([403, 404]).toContain((await h.request.get('/dashboard/../src/config.ts')).status); // no way out of the folder
    await h.request.get('/searches').expect(401);
    const { body } = await h.request.get('/docs/json').expect(200);
    expect(Object.keys(body.paths).filter((p) => p === '/' || p.startsWith('/dashboard'))).toEqual([]);
  });

  it.skipIf(!chromiumAvailable)('in Chromium: loads without a key, asks for one, keeps it and lists that tenant\'s searches', async () => {
    const { key } = (await h.request.post('/api-keys').set('authorization', `Bearer ${ADMIN}`).send({ tenant: 'team-a', name: 'dashboard' }).expect(201)).body;
    await h.request.post('/searches').set('authorization', `Bearer ${key}`).send(tinySearch({ name: 'team-a-search' })).expect(201);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
      const problems = pageProblems(page);
      const res = await page.goto(`${base}/`);
      expect(res?.status()).toBe(200);
      await expect.poll(() => page.locator('#auth').isVisible()).toBe(true);
      expect(await page.locator('#auth-message').textContent()).toMatch(/needs an API key/);
      await screenshot(page, 'auth-prompt');

      await page.locator('input[name="api-key"]').fill('htk_not-a-key');
      await page.locator('#key-form button[type="submit"]').click();
      await expect.poll(() => page.locator('#auth-message').textContent()).toMatch(/refused/);

      await page.locator('input[name="api-key"]').fill(key);
      await page.locator('#key-form button[type="submit"]').click();
      await expect.poll(() => page.locator('table.searches a').allTextContents()).toEqual(['team-a-search']);
      expect(await page.locator('#auth').isVisible()).toBe(false);
      expect(await page.evaluate(() => localStorage.getItem('hypertune.apiKey'))).toBe(key);

      await page.reload(); // the key is remembered
      await expect.poll(() => page.locator('table.searches a').allTextContents()).toEqual(['team-a-search']);
      expect(await page.locator('#auth').isVisible()).toBe(false);
      await screenshot(page, 'auth-search-list');
      // The only errors are Chromium's reports of the 401s that made the page ask.
      expect(problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
