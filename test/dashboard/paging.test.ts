// The dashboard on lists past one page, in a real headless Chromium against the real API: the
// search list shows the first 50 and "Show more" adds the next page; a search's view reads every
// page of its trials (205, over two pages of 200).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeSpec } from '../../src/domain/search-spec.js';
import { tinySearch } from '../fixtures/reference-search.js';
import { chromiumAvailable, launchChromium, pageProblems } from '../helpers/browser.js';
import { listen, startHarness, type Harness } from '../helpers/harness.js';

const SEARCHES = 55;
const TRIALS = 205;

describe.skipIf(!chromiumAvailable)('dashboard lists past one page, in Chromium', () => {
  let h: Harness;
  let base: string;
  const ids: string[] = [];

  beforeAll(async () => {
    h = await startHarness('sqlite');
    base = await listen(h);
    // Stored directly (the API would validate and schedule each): what is listed, not how it came.
    const spec = normalizeSpec(tinySearch({ budget: { maxTrials: TRIALS, maxParallelTrials: 1 } }), () => 1);
    for (let i = 0; i < SEARCHES; i++) ids.push((await h.core.store.createSearch({ id: randomUUID(), name: `search-${i}`, spec })).id);
    const hyperparameters = { conv_1_filter: 8, conv_1_kernel: 3, conv_2_filter: 8, conv_2_kernel: 3, dense_1_units: 16, learning_rate: 0.003 };
    await h.core.store.commitSchedule(ids[0], 0, { status: 'running' }, Array.from({ length: TRIALS }, (_, i) => ({ id: randomUUID(), number: i + 1, hyperparameters })));
  }, 120_000);
  afterAll(async () => { await h?.close(); });

  it('shows 50 searches, then all of them after "Show more"; a search view shows every trial', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
      const problems = pageProblems(page);
      await page.goto(`${base}/`);
      const rows = page.locator('table.searches tbody tr');
      await expect.poll(() => rows.count()).toBe(50);
      const more = page.locator('button.show-more');
      expect(await more.isVisible()).toBe(true);
      await more.click();
      await expect.poll(() => rows.count()).toBe(SEARCHES);
      expect(await more.count()).toBe(0); // the last page: nothing more to show
      expect((await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-search-id')))).sort()).toEqual([...ids].sort());
      // The summary's fields fill the columns the spec used to.
      expect(await rows.first().locator('td').nth(4).textContent()).toBe('random');
      expect(await rows.first().locator('td').nth(5).textContent()).toBe('fashion-mnist');

      await page.goto(`${base}/#/searches/${ids[0]}`);
      const trials = page.locator('table.trials tbody tr');
      await expect.poll(() => trials.count(), { timeout: 20_000 }).toBe(TRIALS);
      const numbers = await trials.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-number'))));
      expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: TRIALS }, (_, i) => i + 1));
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 90_000);
});
