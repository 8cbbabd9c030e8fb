// The dashboard's modules (src/dashboard/*.js) in a real headless Chromium, on inputs a live
// search seldom produces: fields a newer API adds to trials (objective values, pruned trials,
// rungs and brackets, parents, targets, executions), conditional hyperparameters, a minimized
// objective; and the image conversion for prediction (as the service's, inverting, RGB models).
// Served by the dashboard route alone (no database, queue or training needed).
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { decodeImage } from '../../src/datasets/image.js';
import { dashboardRoutes } from '../../src/routes/dashboard.js';
import { chromiumAvailable, launchChromium, pageProblems } from '../helpers/browser.js';

/** What the page's trial-table.js and charts.js export (plain JS, typed here for the test). */
type Option = { series: { id: string; data: unknown[] }[]; parallelAxis: { name: string; type: string; data?: string[] }[]; xAxis: { max: number } };
interface DashboardModules {
  toInstance(source: CanvasImageSource, width: number, height: number, inputShape: number[], pixelMax: number, invert: boolean): unknown[][];
  createTrialTable(el: HTMLElement): { update(search: unknown, trials: unknown[]): void };
  historyOption(search: unknown, trials: unknown[]): Option;
  parallelOption(search: unknown, trials: unknown[]): Option;
  curvesOption(search: unknown, trials: unknown[], metric: string): Option;
  importanceOption(importance: unknown): { series: { data: number[] }[]; yAxis: { data: string[] }; title: { show: boolean; text: string } };
}

describe.skipIf(!chromiumAvailable)('dashboard modules in Chromium', () => {
  let app: FastifyInstance;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    app = Fastify();
    await app.register(dashboardRoutes);
    await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
    page = await browser.newPage();
    problems = pageProblems(page);
    // A page of the same origin that runs nothing itself (the app would call the API this server
    // lacks); the browser's favicon request is answered so no 404 is reported.
    await page.route('**/favicon.ico', (route) => route.fulfill({ status: 204 }));
    await page.goto(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/dashboard/styles.css`);
    await page.addScriptTag({ url: '/dashboard/vendor/echarts.min.js' });
    await page.addScriptTag({ type: 'module', content: `import * as table from '/dashboard/trial-table.js';
      import * as charts from '/dashboard/charts.js'; import * as predict from '/dashboard/predict-box.js';
      window.dash = { ...table, ...charts, ...predict };` });
    await page.waitForFunction(() => 'dash' in window);
  });
  afterAll(async () => {
    expect(problems).toEqual([]);
    await browser?.close();
    await app?.close();
  });

  it('renders what a newer API adds: objective values, pruned trials, rungs, parents, conditional hyperparameters', async () => {
    const out = await page.evaluate(() => {
      const { createTrialTable, historyOption, parallelOption, curvesOption } = (window as unknown as { dash: DashboardModules }).dash;
      const epochs = (n: number, execution?: number) => Array.from({ length: n }, (_, i) => ({ epoch: i + 1, loss: 1 - i / 10, valLoss: 1, accuracy: 0.5, valAccuracy: 0.5, durationMs: 10, ...(execution === undefined ? {} : { execution }) }));
      const search = {
        bestTrial: { id: 'b' },
        spec: {
          objective: { metric: 'val_loss', direction: 'min' }, training: { epochs: 4 },
          hyperparameters: [
            { name: 'units', type: 'int', min: 8, max: 64 }, { name: 'opt', type: 'choice', values: ['adam', 'sgd'] },
            { name: 'momentum', type: 'float', min: 0, max: 0.9, when: { hp: 'opt', in: ['sgd'] } }, { name: 'bn', type: 'boolean' },
          ],
        },
      };
      const common = { backend: 'wasm', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:05Z', source: 'oracle' };
      const trials = [
        { ...common, id: 'a', number: 1, status: 'completed', hyperparameters: { units: 8, opt: 'adam', bn: true }, valAccuracy: 0.8, value: 0.5, epochs: epochs(2), rung: 0, bracket: 1 },
        { ...common, id: 'b', number: 2, status: 'completed', hyperparameters: { units: 32, opt: 'sgd', momentum: 0.5, bn: false }, valAccuracy: 0.9, value: 0.3, epochs: [...epochs(2, 0), ...epochs(2, 1)], rung: 1, bracket: 1, parentTrialId: 'a', targetEpochs: 6 },
        { ...common, id: 'c', number: 3, status: 'pruned', hyperparameters: { units: 64, opt: 'sgd', momentum: 0.9, bn: true }, valAccuracy: 0.4, value: 0.9, epochs: epochs(1), rung: 0, bracket: 0, source: 'user' },
      ];
      const el = document.createElement('div');
      document.body.append(el);
      createTrialTable(el).update(search, trials);
      const parallel = parallelOption(search, trials);
      const history = historyOption(search, trials);
      const curves = curvesOption(search, trials, 'valAccuracy');
      return {
        headers: [...el.querySelectorAll('th')].map((th) => th.textContent),
        rows: [...el.querySelectorAll('tbody tr')].map((tr) => Object.fromEntries([...tr.children].map((td) => [(td as HTMLElement).dataset.key, td.textContent]))) as Record<string, string>[],
        axes: parallel.parallelAxis.map((a) => [a.name, a.type, a.data ?? null]),
        lines: parallel.series[0].data.map((d) => (d as { value: unknown[] }).value),
        history: history.series.map((x) => x.data),
        curves: { ids: curves.series.map((x) => x.id), max: curves.xAxis.max },
      };
    });
    expect(out.headers).toEqual(['#', 'status', 'units', 'opt', 'momentum', 'bn', 'objective', 'val_accuracy', 'epochs', 'backend',
      'duration', 'bracket', 'parent trial id', 'rung', 'source']); // source varies, so it shows; a constant column would not
    expect(out.rows.map((r) => [r.status, r['hp:momentum'], r['hp:bn'], r.value, r['x:parentTrialId'], r['x:rung'], r.epochs])).toEqual([
      ['completed', '', 'true', '0.5000', '', '0', '2/4'],
      ['completed', '0.5', 'false', '0.3000', '#1', '1', '2/6'],
      ['pruned', '0.9', 'true', '0.9000', '', '0', '1/4'],
    ]);
    expect(out.axes).toEqual([
      ['units', 'value', null], ['opt', 'category', ['adam', 'sgd']], ['momentum', 'value', null], ['bn', 'category', ['false', 'true']], ['val_loss', 'value', null],
    ]);
    expect(out.lines).toEqual([[8, 'adam', null, 'true', 0.5], [32, 'sgd', 0.5, 'false', 0.3], [64, 'sgd', 0.9, 'true', 0.9]]);
    expect(out.history[1]).toEqual([[1, 0.5], [2, 0.3], [3, 0.3]]); // minimized; a pruned trial never counts as best
    expect(out.history[0]).toHaveLength(3);
    expect(out.curves).toEqual({ ids: ['a:0:valAccuracy', 'b:0:valAccuracy', 'b:1:valAccuracy', 'c:0:valAccuracy'], max: 6 });
  });

  it('draws the importances as bars, the largest on top, or the reason there are none', async () => {
    const out = await page.evaluate(() => {
      const { importanceOption } = (window as unknown as { dash: DashboardModules }).dash;
      const some = importanceOption({ objective: { metric: 'val_loss', direction: 'min' }, method: 'ped-anova', trials: 9, importances: [
        { name: 'lr', importance: 0.7, trials: 9 }, { name: 'units', importance: 0.3, trials: 9 }, { name: 'fixed', importance: 0, trials: 9 }] });
      const none = importanceOption({ objective: { metric: 'val_loss', direction: 'min' }, method: 'ped-anova', trials: 2, importances: [], reason: 'needs at least 3' });
      return { names: some.yAxis.data, values: some.series[0].data, note: some.title.show, empty: [none.series[0].data, none.title.show, none.title.text], loading: importanceOption(null).title.text };
    });
    expect(out).toEqual({ names: ['fixed', 'units', 'lr'], values: [0, 0.3, 0.7], note: false, empty: [[], true, 'needs at least 3'], loading: 'Loading…' });
  });

  it('converts an image to the model\'s input: stretched, grayscale or RGB, inverted on request, in the raw pixel range', async () => {
    const out = await page.evaluate(() => {
      const { toInstance } = (window as unknown as { dash: DashboardModules }).dash;
      // 4x2 image: left half white, right half red; a 4x4 input stretches it to twice its height.
      const src = Object.assign(document.createElement('canvas'), { width: 4, height: 2 });
      const g = src.getContext('2d')!;
      g.fillStyle = '#fff';
      g.fillRect(0, 0, 2, 2);
      g.fillStyle = '#f00';
      g.fillRect(2, 0, 2, 2);
      return {
        gray: toInstance(src, 4, 2, [4, 4, 1], 255, false),
        inverted: toInstance(src, 4, 2, [4, 4, 1], 1, true),
        rgb: toInstance(src, 4, 2, [4, 4, 3], 255, false),
      };
    });
    const red = 127; // Rec. 709 luminance of pure red in linear light, as libvips makes it (Rec. 601 on bytes would say 76)
    const row = [255, 255, red, red];
    expect(out.gray).toEqual([row, row, row, row]);
    expect(out.inverted).toEqual(Array(4).fill(row.map((v) => (255 - v) / 255)));
    expect(out.rgb).toEqual(Array(4).fill([[255, 255, 255], [255, 255, 255], [255, 0, 0], [255, 0, 0]]));
  });

  it('converts an uploaded PNG as the service does (sharp): the same pixels to within resampling', async () => {
    // Colour blocks over a gradient, 56x40, into a 28x28 grayscale input: stretching, downscaling
    // and the colour-to-gray conversion all take part.
    const [W, H] = [56, 40];
    const rgb = Buffer.alloc(W * H * 3);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const block = [[200, 30, 30], [30, 160, 60], [40, 60, 220], [250, 250, 120]][(x < W / 2 ? 0 : 1) + (y < H / 2 ? 0 : 2)];
      rgb.set(block.map((v) => Math.min(255, v + x)), (y * W + x) * 3);
    }
    const png = await sharp(rgb, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer();
    const server = await decodeImage(png, { height: 28, width: 28, channels: 1 }, 'image');
    const browser = await page.evaluate(async (b64) => {
      const { toInstance } = (window as unknown as { dash: DashboardModules }).dash;
      const bitmap = await createImageBitmap(new Blob([Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0))], { type: 'image/png' }));
      return (toInstance(bitmap, bitmap.width, bitmap.height, [28, 28, 1], 255, false) as number[][]).flat();
    }, png.toString('base64'));
    const diffs = browser.map((v, i) => Math.abs(v - server[i]));
    // Inside the blocks the two agree to a level or two; on the blocks' edges the resampling
    // filters differ (Chromium's against libvips' lanczos3).
    expect(diffs.filter((d) => d > 2).length).toBeLessThan(28 * 28 * 0.1);
    expect(Math.max(...diffs)).toBeLessThan(40);
    expect(diffs.reduce((a, b) => a + b, 0) / diffs.length).toBeLessThan(2);
  });
});
