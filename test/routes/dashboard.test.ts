// The dashboard in a real headless Chromium against the real service (listening on a port) with a
// real worker training a tiny search: the search list, the live learning curves, the sortable
// trial table, every chart (checked through ECharts' own instances), the best model's summary and
// predictions of a drawn and an uploaded image, which must match what the API answers for the
// same pixels. With authentication on: dashboard-auth.test.ts.
// Screenshots: artifacts/screenshots/*.png; docs/dashboard.png (the README's) with UPDATE_DOCS_SCREENSHOT=1.
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchRequest } from '../../src/domain/search-spec.js';
import { loadFashionMnist } from '../../src/datasets/fashion-mnist.js';
import { imageRows } from '../fixtures/instances.js';
import { tinySearch } from '../fixtures/reference-search.js';
import { chromiumAvailable, launchChromium, pageProblems, screenshot } from '../helpers/browser.js';
import { listen, startHarness, waitFor, type Harness } from '../helpers/harness.js';

const EPOCHS = 3;
const TRIALS = 3;
const HP_NAMES = ['conv_1_filter', 'conv_1_kernel', 'conv_2_filter', 'conv_2_kernel', 'dense_1_units', 'learning_rate'];

/** 3 trials x 3 epochs of a small CNN on 600 images: seconds per trial, enough to watch curves grow. */
function dashboardSearch(): SearchRequest {
  const req = tinySearch({
    name: 'dashboard-demo',
    dataset: { id: 'fashion-mnist', limit: 600 },
    algorithm: { name: 'random', seed: 11 },
    budget: { maxTrials: TRIALS, maxParallelTrials: 1 },
    training: { epochs: EPOCHS, batchSize: 16, validationSplit: 0.2 },
    hyperparameters: [
      { name: 'conv_1_filter', type: 'int', min: 4, max: 12, step: 4 },
      { name: 'conv_1_kernel', type: 'choice', values: [3, 5] },
      { name: 'conv_2_filter', type: 'int', min: 8, max: 16, step: 8 },
      { name: 'conv_2_kernel', type: 'choice', values: [3] },
      { name: 'dense_1_units', type: 'int', min: 16, max: 48, step: 16 },
      { name: 'learning_rate', type: 'choice', values: [0.001, 0.003, 0.01] },
    ],
  });
  req.model.layers = [
    { type: 'conv2d', filters: { hp: 'conv_1_filter' }, kernelSize: { hp: 'conv_1_kernel' }, activation: 'relu' },
    { type: 'maxPooling2d', poolSize: 2 },
    { type: 'conv2d', filters: { hp: 'conv_2_filter' }, kernelSize: { hp: 'conv_2_kernel' }, activation: 'relu' },
    { type: 'maxPooling2d', poolSize: 2 },
    { type: 'flatten' },
    { type: 'dense', units: { hp: 'dense_1_units' }, activation: 'relu' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ];
  return req;
}

interface ChartState {
  series: { name: string; type: string; data: unknown[] }[];
  parallelAxis?: { name: string; type: string; data?: string[] }[];
  yAxis?: { data?: string[] }[];
  drawn: boolean;
}

/** What ECharts itself holds for the chart in element `id` (null: no instance there). */
const chartState = (page: Page, id: string) => page.evaluate((elementId): ChartState | null => {
  const el = document.getElementById(elementId);
  const chart = el && (globalThis as unknown as { echarts: { getInstanceByDom(e: HTMLElement): { getOption(): Record<string, never> } | undefined } }).echarts.getInstanceByDom(el);
  if (!chart) return null;
  const o = chart.getOption() as { series?: { name: string; type: string; data: unknown[] }[]; parallelAxis?: { name: string; type: string; data?: string[] }[]; yAxis?: { data?: string[] }[] };
  const canvas = el.querySelector('canvas');
  return {
    series: (o.series ?? []).map((s) => ({ name: s.name, type: s.type, data: s.data })),
    parallelAxis: o.parallelAxis?.map((a) => ({ name: a.name, type: a.type, data: a.data })),
    yAxis: o.yAxis?.map((a) => ({ data: a.data })),
    drawn: !!canvas && canvas.width > 0 && canvas.height > 0,
  };
}, id);

const tableNumbers = (page: Page) => page.$$eval('table.trials tbody tr', (rows) => rows.map((r) => Number((r as HTMLElement).dataset.number)));

describe.skipIf(!chromiumAvailable)('dashboard in Chromium, following a real search', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let base: string;
  let searchId: string;

  beforeAll(async () => {
    // The worker starts once the page is open (first test), so every trial runs while it watches.
    [h, browser] = await Promise.all([startHarness('sqlite', { EVENTS_POLL_MS: '100' }), launchChromium()]);
    base = await listen(h);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    problems = pageProblems(page);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('lists the search and follows it live: curves grow epoch by epoch without a reload', async () => {
    searchId = (await h.request.post('/searches').send(dashboardSearch()).expect(201)).body.id;
    const res = await page.goto(`${base}/`);
    expect(res?.status()).toBe(200);
    const link = page.locator(`tr[data-search-id="${searchId}"] a`);
    await expect.poll(() => link.textContent()).toBe('dashboard-demo');
    await screenshot(page, 'search-list');
    await link.click();
    await page.waitForURL(`**/#/searches/${searchId}`);
    // No worker yet: the trials wait, and no curve has a point.
    await expect.poll(() => page.locator('table.trials tbody td[data-key="status"]').allTextContents()).toEqual(['waiting']);
    expect((await chartState(page, 'chart-val-accuracy'))?.series).toEqual([]);

    // Sample the validation-accuracy chart from inside the page until the search ends.
    await page.evaluate(() => {
      const w = window as unknown as { samples: Record<string, number>[]; echarts: { getInstanceByDom(e: HTMLElement): { getOption(): { series: { name: string; data: unknown[] }[] } } | undefined } };
      w.samples = [];
      setInterval(() => {
        const chart = w.echarts.getInstanceByDom(document.getElementById('chart-val-accuracy')!);
        if (chart) w.samples.push(Object.fromEntries(chart.getOption().series.map((s) => [s.name, s.data.length])));
      }, 50);
    });
    await h.startWorker();
    await expect.poll(() => page.locator('#live').isVisible(), { timeout: 10_000 }).toBe(true);
    await page.waitForFunction(() => (window as unknown as { samples: Record<string, number>[] }).samples.some((s) => Object.values(s).some((n) => n === 2)), null, { timeout: 150_000 });
    await screenshot(page, 'search-running');
    await waitFor(async () => (await h.request.get(`/searches/${searchId}`)).body, (s) => s.status === 'completed', 200_000, 'the search to complete');
    await page.waitForFunction(({ trials, epochs }) => {
      const last = (window as unknown as { samples: Record<string, number>[] }).samples.at(-1) ?? {};
      return Array.from({ length: trials }, (_, i) => last[`trial ${i + 1}`]).every((n) => n === epochs);
    }, { trials: TRIALS, epochs: EPOCHS }, { timeout: 10_000 });

    // Every trial started after the page opened: each curve grew from nothing to all its epochs
    // in this one page life, never shrinking, and (sampled every 50 ms) showed the epochs between.
    const seen = await page.evaluate((n) => Array.from({ length: n }, (_, i) =>
      (window as unknown as { samples: Record<string, number>[] }).samples.map((s) => s[`trial ${i + 1}`] ?? 0)), TRIALS);
    for (const lengths of seen) {
      expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
      expect([lengths[0], lengths.at(-1)]).toEqual([0, EPOCHS]);
    }
    expect(seen.some((lengths) => new Set(lengths).size === EPOCHS + 1)).toBe(true);
    await expect.poll(() => page.locator('#live').isVisible(), { timeout: 5_000 }).toBe(false); // the stream ended with the search
  }, 300_000); // about 20 s on an idle 2-core machine; the margin is for a busy one

  it('shows every trial in a sortable table with a column per hyperparameter', async () => {
    const { trials } = (await h.request.get(`/searches/${searchId}/trials`).expect(200)).body as { trials: { number: number; valAccuracy: number; status: string; hyperparameters: Record<string, number> }[] };
    expect(trials).toHaveLength(TRIALS);
    await expect.poll(() => page.locator('table.trials tbody td[data-key="status"]').allTextContents()).toEqual(trials.map(() => 'completed'));
    const headers = (await page.locator('table.trials th').allTextContents()).map((t) => t.trim());
    expect(headers.slice(0, 2 + HP_NAMES.length)).toEqual(['#', 'status', ...HP_NAMES]);
    expect(headers).toEqual(expect.arrayContaining(['val_accuracy', 'epochs', 'backend', 'duration']));
    expect(await tableNumbers(page)).toEqual([1, 2, 3]);
    const cell = (n: number, key: string) => page.locator(`tr[data-number="${n}"] td[data-key="${key}"]`).textContent();
    expect(await cell(1, 'valAccuracy')).toBe(trials[0].valAccuracy.toFixed(4));
    expect(await cell(1, 'epochs')).toBe(`${EPOCHS}/${EPOCHS}`);

    await page.locator('th[data-key="number"]').click(); // again: descending
    expect(await tableNumbers(page)).toEqual([3, 2, 1]);
    await page.locator('th[data-key="valAccuracy"]').click();
    const byAccuracy = [...trials].sort((a, b) => a.valAccuracy - b.valAccuracy || a.number - b.number).map((t) => t.number);
    expect(await tableNumbers(page)).toEqual(byAccuracy);
    await page.locator('th[data-key="valAccuracy"]').click();
    expect(await tableNumbers(page)).toEqual([...trials].sort((a, b) => b.valAccuracy - a.valAccuracy || a.number - b.number).map((t) => t.number));
    expect(await page.locator('th[data-key="valAccuracy"]').getAttribute('aria-sort')).toBe('descending');
    await page.locator('th[data-key="hp:learning_rate"]').click();
    const lr = (t: { hyperparameters: Record<string, number> }) => t.hyperparameters.learning_rate;
    expect(await tableNumbers(page)).toEqual([...trials].sort((a, b) => lr(a) - lr(b) || a.number - b.number).map((t) => t.number));
    await page.locator('th[data-key="number"]').click();
  });

  it('draws the curves, the optimization history and the parallel coordinates with ECharts', async () => {
    const { trials } = (await h.request.get(`/searches/${searchId}/trials`).expect(200)).body as { trials: { number: number; valAccuracy: number; value?: number | null; epochs: { valAccuracy: number; loss: number }[] }[] };
    const valAcc = (await chartState(page, 'chart-val-accuracy'))!;
    expect(valAcc.drawn).toBe(true);
    expect(valAcc.series.map((s) => s.name)).toEqual(trials.map((t) => `trial ${t.number}`));
    expect(valAcc.series.map((s) => s.data)).toEqual(trials.map((t) => t.epochs.map((e, i) => [i + 1, e.valAccuracy])));
    const loss = (await chartState(page, 'chart-loss'))!;
    expect(loss.series).toHaveLength(2 * TRIALS); // training (solid) and validation (dashed) per trial
    expect(loss.series[0].data).toEqual(trials[0].epochs.map((e, i) => [i + 1, e.loss]));

    const history = (await chartState(page, 'chart-history'))!;
    expect(history.series.map((s) => [s.name, s.type, s.data.length])).toEqual([['objective', 'scatter', TRIALS], ['best so far', 'line', TRIALS]]);
    const objective = (t: { valAccuracy: number; value?: number | null }) => t.value ?? t.valAccuracy; // `value` where the API reports it
    const best = trials.reduce((acc: number[], t) => [...acc, Math.max(acc.at(-1) ?? -Infinity, objective(t))], []);
    expect((history.series[1].data as number[][]).map((p) => p[1])).toEqual(best);

    const parallel = (await chartState(page, 'chart-parallel'))!;
    expect(parallel.parallelAxis!.map((a) => [a.name, a.type])).toEqual([
      ['conv_1_filter', 'value'], ['conv_1_kernel', 'category'], ['conv_2_filter', 'value'], ['conv_2_kernel', 'category'],
      ['dense_1_units', 'value'], ['learning_rate', 'category'], ['val_accuracy', 'value'],
    ]);
    expect(parallel.parallelAxis![5].data).toEqual(['0.001', '0.003', '0.01']);
    expect(parallel.series).toHaveLength(1);
    expect(parallel.series[0].data).toHaveLength(TRIALS);

    // The importances GET /searches/:id/importance answers, largest on top (ECharts draws the y axis bottom-up).
    const { importances } = (await h.request.get(`/searches/${searchId}/importance`).expect(200)).body as { importances: { name: string; importance: number }[] };
    expect(importances.map((i) => i.name).sort()).toEqual([...HP_NAMES].sort());
    await expect.poll(async () => (await chartState(page, 'chart-importance'))?.series[0]?.data).toEqual([...importances].reverse().map((i) => i.importance));
    const importance = (await chartState(page, 'chart-importance'))!;
    expect(importance.drawn).toBe(true);
    expect(importance.yAxis![0].data).toEqual([...importances].reverse().map((i) => i.name));
  });

  it("summarizes the best model as GET /models/:id does", async () => {
    const search = (await h.request.get(`/searches/${searchId}`).expect(200)).body;
    const model = (await h.request.get(`/models/${search.bestModelId}`).expect(200)).body;
    await expect.poll(() => page.locator('#best-total-params').textContent()).toContain(model.totalParams.toLocaleString('en-US'));
    expect(await page.locator('#best-val-accuracy').textContent()).toContain(model.metrics.valAccuracy.toFixed(4));
    expect(await page.locator('table.layers tbody tr').count()).toBe(model.layers.length);
    expect(await page.locator('table.trials tr.best').getAttribute('data-number')).toBe(String(search.bestTrial.number));
    await screenshot(page, 'search-finished');
  });

  /** Clicks Predict; returns the label shown and what the API answers for the very pixels sent. */
  async function predictShown(modelId: string) {
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith(`/models/${modelId}/predict`) && r.method() === 'POST'),
      page.locator('#predict-button').click(),
    ]);
    const body = request.postDataJSON() as { instances: number[][][] };
    const api = (await h.request.post(`/models/${modelId}/predict`).send(body).expect(200)).body.predictions[0];
    await expect.poll(() => page.locator('#prediction-label strong').textContent()).toBe(api.label);
    return { instance: body.instances[0], api };
  }

  it('predicts a drawn image: the label shown is the API\'s for the pixels sent', async () => {
    const { bestModelId } = (await h.request.get(`/searches/${searchId}`).expect(200)).body;
    await page.locator('#draw-canvas').scrollIntoViewIfNeeded();
    const box = (await page.locator('#draw-canvas').boundingBox())!;
    // Trousers: two legs joined at the waist.
    const stroke = async (points: [number, number][]) => {
      await page.mouse.move(box.x + points[0][0] * box.width, box.y + points[0][1] * box.height);
      await page.mouse.down();
      for (const [x, y] of points.slice(1)) await page.mouse.move(box.x + x * box.width, box.y + y * box.height, { steps: 8 });
      await page.mouse.up();
    };
    await stroke([[0.3, 0.15], [0.7, 0.15]]);
    await stroke([[0.35, 0.15], [0.33, 0.9]]);
    await stroke([[0.65, 0.15], [0.67, 0.9]]);
    const { instance, api } = await predictShown(bestModelId);
    expect(instance).toHaveLength(28);
    expect(instance.every((row) => row.length === 28 && row.every((v) => typeof v === 'number' && v >= 0 && v <= 255))).toBe(true);
    const lit = instance.flat().filter((v) => v > 128).length;
    expect(lit).toBeGreaterThan(40); // the strokes reached the model
    expect(lit).toBeLessThan(500);
    expect(await page.locator('#prediction-label').textContent()).toContain(`${(api.probabilities[api.classIndex] * 100).toFixed(1)}%`);
    const bars = (await chartState(page, 'chart-prediction'))!;
    expect(bars.series[0].data).toHaveLength(5);
    await screenshot(page, 'predict-drawn', { settleMs: 500 });
  }, 60_000);

  it('predicts an uploaded PNG: its pixels reach the API unchanged', async () => {
    const { bestModelId } = (await h.request.get(`/searches/${searchId}`).expect(200)).body;
    const test = loadFashionMnist(h.config.datasetDir, 'test', 1);
    const png = await sharp(Buffer.from(test.images.subarray(0, 28 * 28)), { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer();
    await page.locator('#upload-input').setInputFiles({ name: 'ankle-boot.png', mimeType: 'image/png', buffer: png });
    const { instance } = await predictShown(bestModelId);
    expect(instance).toEqual(imageRows(test, 0));
    await screenshot(page, 'predict-uploaded', { settleMs: 500 });
    // The README's picture, only when asked: a test run must not rewrite a tracked file.
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1') await screenshot(page, 'dashboard', { path: join(process.cwd(), 'docs', 'dashboard.png') });
    expect(problems).toEqual([]);
  }, 60_000);
});
