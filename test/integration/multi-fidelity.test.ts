// Hyperband and ASHA on real Redis, a real database (SQLite and PostgreSQL) and real training,
// with two workers taking trials in parallel: promotions continue a completed parent from its
// epoch count, no parent is promoted twice, and the rungs hold what the schedule says.
import { afterEach, describe, expect, it } from 'vitest';
import type { SearchRequest } from '../../src/domain/search-spec.js';
import { microHyperband, microSearch } from '../fixtures/micro-search.js';
import { postgresAvailable, startHarness, waitFor, type Harness } from '../helpers/harness.js';
import { checkAsha, checkBest, checkHyperband } from '../helpers/multi-fidelity-checks.js';

let h: Harness | undefined;
afterEach(async () => { await h?.close(); h = undefined; }, 120_000);

const HYPERBAND = microHyperband();
const ASHA: SearchRequest = microSearch({
  name: 'asha', algorithm: { name: 'asha', seed: 12, minEpochs: 1, maxEpochs: 3, reductionFactor: 3 },
  budget: { maxTrials: 5, maxParallelTrials: 2 }, training: { epochs: 3, batchSize: 32, validationSplit: 0.25 },
});

async function runBoth(db: 'sqlite' | 'postgres') {
  h = await startHarness(db);
  const harness = h;
  // Two workers, each with its own store and scheduler: promotions race as they would across hosts.
  await Promise.all([harness.startWorker(), harness.startWorker()]);
  const ids = await Promise.all([HYPERBAND, ASHA].map(async (req) => (await harness.request.post('/searches').send(req).expect(201)).body.id as string));
  // On a timeout the message shows where each trial stands.
  const state = async (id: string) => ({
    search: (await harness.core.store.getSearch(id))!,
    trials: (await harness.core.store.listTrialsWithEpochs(id)).map((t) => `${t.number}:${t.status}:r${t.rung}:${t.initialEpoch}->${t.targetEpochs}:[${t.epochs.map((e) => e.epoch)}]`),
  });
  const ended = async (id: string) => (await waitFor(() => state(id), (s) => s.search.status !== 'queued' && s.search.status !== 'running', 800_000, `search ${id}`)).search;
  const [hyperband, asha] = await Promise.all(ids.map(ended));
  const [hbTrials, ashaTrials] = await Promise.all(ids.map((id) => harness.core.store.listTrialsWithEpochs(id)));

  expect(hyperband.spec.budget.maxTrials).toBe(4); // hyperband's configurations for maxEpochs 3, factor 3
  checkHyperband(hyperband.spec, hbTrials);
  checkBest(hyperband.spec, hyperband, hbTrials);
  checkAsha(asha.spec, ashaTrials);
  checkBest(asha.spec, asha, ashaTrials);
  // A promotion trains only the epochs its parent did not: hyperband's 2 + 3 + 3 of the first
  // bracket's rounds and its second bracket's, ASHA's 1 per configuration and 2 per promotion.
  expect(hbTrials.reduce((n, t) => n + t.epochs.length, 0)).toBe(1 + 1 + 2 + 3 + 3);
  const ashaPromotions = ashaTrials.filter((t) => t.parentTrialId).length;
  expect(ashaTrials.reduce((n, t) => n + t.epochs.length, 0)).toBe(5 + 2 * ashaPromotions);
  // Two workers really ran trials side by side.
  const all = [...hbTrials, ...ashaTrials];
  const overlapped = all.some((a) => all.some((b) => a !== b && a.startedAt! < b.startedAt! && b.startedAt! < a.finishedAt!));
  expect(overlapped).toBe(true);
}

describe('multi-fidelity searches with two workers', () => {
  it('runs hyperband and asha to completion on SQLite', async () => {
    await runBoth('sqlite');
  }, 900_000);

  it('runs hyperband and asha to completion on PostgreSQL', async (ctx) => {
    if (!(await postgresAvailable())) ctx.skip();
    await runBoth('postgres');
  }, 900_000);
});
