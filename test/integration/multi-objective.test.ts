// A multi-objective search through the whole product: the API, a worker training for real, the
// database. Bayesian over val_accuracy (max) and the parameter count (min) on the micro search:
// the scheduler hands the oracle each completed trial's values, and GET /searches/:id shows a
// front that is non-empty and non-dominated, and dominates every completed trial left out of it;
// `hypertune search show` prints it and the dashboard (in Chromium, where there is one) draws it.
// Then val_accuracy against latency_ms, which each trial's run measures on the worker's backend.
import { afterEach, describe, expect, it } from 'vitest';
import { describeArchitecture } from '../../src/domain/model-summary.js';
import { resolveTemplate } from '../../src/domain/model-template.js';
import { dominates } from '../../src/domain/pareto.js';
import { microSearch } from '../fixtures/micro-search.js';
import { chromiumAvailable, launchChromium, pageProblems, screenshot } from '../helpers/browser.js';
import { listen, postgresAvailable, startHarness, waitFor, type Harness } from '../helpers/harness.js';
import { runCli } from '../cli/run-cli.js';

let h: Harness | undefined;
afterEach(async () => { await h?.close(); h = undefined; });

interface Trial { id: string; status: string; hyperparameters: Record<string, number>; epochs: { valAccuracy: number }[]; objectiveValues?: Record<string, number> }

describe('multi-objective search', () => {
  it('trains, and GET /searches/:id shows a non-dominated front of its completed trials', async () => {
    h = await startHarness((await postgresAvailable()) ? 'postgres' : 'sqlite');
    await h.startWorker();
    const req = microSearch({
      objectives: [{ name: 'val_accuracy', direction: 'max' }, { name: 'params', direction: 'min' }],
      algorithm: { name: 'bayesian', seed: 3, initialRandomTrials: 2 },
      budget: { maxTrials: 4, maxParallelTrials: 1 },
    });
    const created = await h.request.post('/searches').send(req).expect(201);
    const search = await waitFor(
      async () => (await h!.request.get(`/searches/${created.body.id}`)).body,
      (s) => s.status !== 'queued' && s.status !== 'running', 180_000, 'the search to finish');
    expect(search.status).toBe('completed');
    expect(search.spec.objective).toEqual({ metric: 'val_accuracy', direction: 'max' });

    // Each completed trial's values, worked out here from what the API shows (one epoch each).
    const { trials } = (await h.request.get(`/searches/${search.id}/trials`).expect(200)).body as { trials: Trial[] };
    const completed = trials.filter((t) => t.status === 'completed');
    expect(completed.length).toBeGreaterThanOrEqual(2);
    const values = new Map(completed.map((t) => [t.id, [
      Math.max(...t.epochs.map((e) => e.valAccuracy)),
      describeArchitecture(resolveTemplate(search.spec.model, t.hyperparameters)).totalParams,
    ]]));

    // Each trial shows the same values.
    for (const t of completed) expect(t.objectiveValues).toEqual({ val_accuracy: values.get(t.id)![0], params: values.get(t.id)![1] });

    const front = search.paretoFront as { trialId: string; values: { val_accuracy: number; params: number } }[];
    expect(front.length).toBeGreaterThan(0);
    const dirs: ('max' | 'min')[] = ['max', 'min'];
    for (const p of front) {
      expect([p.values.val_accuracy, p.values.params]).toEqual(values.get(p.trialId));
      for (const v of values.values()) expect(dominates(v, values.get(p.trialId)!, dirs)).toBe(false);
    }
    const onFront = new Set(front.map((p) => p.trialId));
    for (const [id, v] of values)
      if (!onFront.has(id)) expect(front.some((p) => dominates(values.get(p.trialId)!, v, dirs))).toBe(true);
    // The best primary value is on the front (the best trial itself may tie with a smaller model).
    expect(Math.max(...front.map((p) => p.values.val_accuracy))).toBe(search.bestTrial.value);


    const base = await listen(h);
    const numbers = new Map(trials.map((t) => [t.id, (t as Trial & { number: number }).number]));
    const shown = await runCli(['search', 'show', search.id], { HYPERTUNE_URL: base, HYPERTUNE_API_KEY: undefined });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`Pareto front (val_accuracy max, params min): ${front.length} trial`);
    for (const p of front) expect(shown.stdout).toMatch(new RegExp(`^\\s*${numbers.get(p.trialId)}\\s+${p.values.val_accuracy.toFixed(4)}\\s+${p.values.params}$`, 'm'));
    if (chromiumAvailable) await checkDashboard(base, search.id, front.map((p) => p.trialId), completed.length);
  }, 240_000);

  it('measures every completed trial\'s prediction latency for latency_ms, and keeps a front over it', async () => {
    h = await startHarness((await postgresAvailable()) ? 'postgres' : 'sqlite');
    await h.startWorker();
    // Bayesian after 2 random trials: the third is drawn by MOTPE from the first two's latencies.
    const req = microSearch({
      objectives: [{ name: 'val_accuracy', direction: 'max' }, { name: 'latency_ms' }],
      algorithm: { name: 'bayesian', seed: 5, initialRandomTrials: 2 },
      budget: { maxTrials: 3, maxParallelTrials: 1 },
    });
    const created = await h.request.post('/searches').send(req).expect(201);
    const search = await waitFor(
      async () => (await h!.request.get(`/searches/${created.body.id}`)).body,
      (s) => s.status !== 'queued' && s.status !== 'running', 180_000, 'the search to finish');
    expect(search.status).toBe('completed');
    expect(search.spec.objectives).toEqual([{ name: 'val_accuracy', direction: 'max' }, { name: 'latency_ms', direction: 'min' }]);

    const { trials } = (await h.request.get(`/searches/${search.id}/trials`).expect(200)).body as { trials: (Trial & { number: number })[] };
    const completed = trials.filter((t) => t.status === 'completed');
    expect(completed).toHaveLength(3);
    const values = new Map<string, number[]>();
    for (const t of completed) {
      const v = t.objectiveValues!;
      expect(v.val_accuracy).toBe(Math.max(...t.epochs.map((e) => e.valAccuracy)));
      expect(Number.isFinite(v.latency_ms)).toBe(true);
      expect(v.latency_ms).toBeGreaterThan(0);
      values.set(t.id, [v.val_accuracy, v.latency_ms]);
    }

    const front = search.paretoFront as { trialId: string; values: { val_accuracy: number; latency_ms: number } }[];
    expect(front.length).toBeGreaterThan(0);
    const dirs: ('max' | 'min')[] = ['max', 'min'];
    for (const p of front) {
      expect([p.values.val_accuracy, p.values.latency_ms]).toEqual(values.get(p.trialId));
      for (const v of values.values()) expect(dominates(v, values.get(p.trialId)!, dirs)).toBe(false);
    }
    const onFront = new Set(front.map((p) => p.trialId));
    for (const [id, v] of values)
      if (!onFront.has(id)) expect(front.some((p) => dominates(values.get(p.trialId)!, v, dirs))).toBe(true);

    const shown = await runCli(['search', 'show', search.id], { HYPERTUNE_URL: await listen(h), HYPERTUNE_API_KEY: undefined });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`Pareto front (val_accuracy max, latency_ms min): ${front.length} trial`);
    const numbers = new Map(trials.map((t) => [t.id, t.number]));
    for (const p of front) expect(shown.stdout).toMatch(new RegExp(`^\\s*${numbers.get(p.trialId)}\\s+${p.values.val_accuracy.toFixed(4)}\\s+${p.values.latency_ms.toFixed(4)}$`, 'm'));
  }, 240_000);
});

/** The search page draws the front: its trials joined, the other completed ones apart. */
async function checkDashboard(base: string, searchId: string, frontIds: string[], completed: number): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
    const problems = pageProblems(page);
    await page.goto(`${base}/#/searches/${searchId}`);
    await page.waitForSelector('#chart-pareto canvas');
    const series = await page.evaluate(() => {
      const el = document.getElementById('chart-pareto')!;
      const chart = (globalThis as unknown as { echarts: { getInstanceByDom(e: HTMLElement): { getOption(): { series: { id: string; data: unknown[] }[] } } } }).echarts.getInstanceByDom(el);
      return chart.getOption().series.map((s) => ({ id: s.id, points: s.data.length }));
    });
    expect(series).toEqual([{ id: 'others', points: completed - frontIds.length }, { id: 'front', points: frontIds.length }]);
    await expect.poll(() => page.textContent('#search-head')).toContain('val_accuracy (max), params (min)');
    await screenshot(page, 'pareto-front', { fullPage: true });
    expect(problems).toEqual([]);
  } finally {
    await browser.close();
  }
}
