// The spare trial process, on a real worker, Redis, SQLite and training: with it, the next trial
// starts without waiting for a cold process (imports, backend), measured against the same worker
// without a spare in the same test; each trial still gets a process of its own, and closing the
// worker ends the spare.
import { afterEach, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { tinySearch } from '../fixtures/reference-search.js';
import { startHarness, waitFor, type Harness } from '../helpers/harness.js';
import { alive } from '../support/process-tree.js';
import { startTrialWorker } from '../../workers/trial-worker.js';

let h: Harness | undefined;
afterEach(async () => { await h?.close(); h = undefined; }, 120_000);

/** Runs 3 trials one after another; returns the gaps between a trial's end and the next one's start, and the spares seen. */
async function gaps(spare: boolean) {
  h = await startHarness('sqlite', { TRIAL_SPARE_PROCESS: String(spare) });
  const harness = h;
  const worker = await startTrialWorker(harness.config, createLogger('warn', 'test'));
  // The spare started with the worker (a trial started at once could take it before the first poll below).
  const spares = new Set<number>(worker.sparePid ? [worker.sparePid] : []);
  try {
    const request = tinySearch({ name: `spare-${spare}`, budget: { maxTrials: 3, maxParallelTrials: 1 }, dataset: { id: 'fashion-mnist', limit: 500 } });
    const { id } = (await harness.request.post('/searches').send(request).expect(201)).body;
    await waitFor(async () => {
      if (worker.sparePid) spares.add(worker.sparePid);
      return harness.core.store.getSearch(id);
    }, (s) => s?.status === 'completed', 120_000, 'the search', 50);
    const trials = await harness.core.store.listTrials(id);
    expect(trials.map((t) => t.status)).toEqual(['completed', 'completed', 'completed']);
    return { gaps: trials.slice(1).map((t, i) => t.startedAt!.getTime() - trials[i].finishedAt!.getTime()), spares, last: worker.sparePid };
  } finally {
    await worker.close();
  }
}

it('starts each next trial in the spare started during the one before, faster than a cold process', async () => {
  const cold = await gaps(false);
  expect(cold.spares.size).toBe(0);
  await h!.close();
  h = undefined;
  const warm = await gaps(true);
  // A spare started with the worker and with each trial: four in all (the last one is killed by close()).
  expect(warm.spares.size).toBe(4);
  await waitFor(async () => alive(warm.last!), (a) => !a, 10_000, 'the spare to end with its worker');
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`end of a trial → start of the next, ms: cold ${cold.gaps.join(', ')}; with a spare ${warm.gaps.join(', ')}`);
  expect(Math.max(...warm.gaps)).toBeLessThan(median(cold.gaps));
}, 300_000);
