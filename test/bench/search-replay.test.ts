// The replay through the service's real components (SearchService, Scheduler, oracles, promoters,
// TrialRunner, a PrismaStore on SQLite) over synthetic tables whose answers are known.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hyperbandBrackets } from '../../src/domain/hyperband-brackets.js';
import { createLogger } from '../../src/logger.js';
import { migrate } from '../../src/store/migrate.js';
import { openPrismaStore, type PrismaStore } from '../../src/store/prisma-store.js';
import { replayRequest } from '../../bench/replay-requests.js';
import { replayRequestRun, replaySearch, type ReplayDeps } from '../../bench/search-replay.js';
import { TableTrainingEngine } from '../../bench/table-engine.js';
import { smoothCurve, syntheticTable } from './synthetic-table.js';

const table = syntheticTable(smoothCurve, 9);
let dir: string;
let store: PrismaStore;
let deps: ReplayDeps;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'replay-test-'));
  const url = `file:${join(dir, 'replay.db')}`;
  await migrate(url);
  store = await openPrismaStore(url);
  deps = { store, engine: new TableTrainingEngine(table), log: createLogger('silent', 'replay-test') };
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('replaying searches over a curve table', () => {
  it('gives the same trajectory for the same seed, and another for another seed', async () => {
    const a = await replaySearch(deps, table, 'random', 3, 6);
    const b = await replaySearch(deps, table, 'random', 3, 6);
    const c = await replaySearch(deps, table, 'random', 4, 6);
    expect(a.best).toHaveLength(54);
    expect(b.best).toEqual(a.best);
    expect(c.best).not.toEqual(a.best);
    const h1 = await replaySearch(deps, table, 'hyperband', 5, 6);
    const h2 = await replaySearch(deps, table, 'hyperband', 5, 6);
    expect(h2.best).toEqual(h1.best);
    expect(h1.continued).toBeGreaterThan(0);
  });

  it.each(['hyperband', 'hyperband-paper'] as const)('counts only the new epochs of a promoted trial: one %s iteration spends what its brackets say', async (algorithm) => {
    const request = replayRequest(algorithm, 7, table, 1);
    request.algorithm = { ...request.algorithm, hyperbandIterations: 1 };
    delete request.budget!.maxTotalEpochs;
    const brackets = hyperbandBrackets(9, 3, algorithm === 'hyperband-paper' ? 'paper' : 'keras-tuner');
    // Each round trains its survivors from the previous round's epochs on.
    const expected = brackets.reduce((sum, b) => sum + b.rounds.reduce((n, r, i) => n + r.size * (r.epochs - (i === 0 ? 0 : b.rounds[i - 1].epochs)), 0), 0);
    const promotions = brackets.reduce((n, b) => n + b.rounds.slice(1).reduce((m, r) => m + r.size, 0), 0);
    const t = await replayRequestRun(deps, request, algorithm, 7);
    expect(t.status).toBe('completed');
    expect(t.continued).toBe(promotions);
    expect(t.best).toHaveLength(expected);
    // Every promoted trial continues the best of its round: on this curve, the best configurations by a wide margin.
    const trials = await store.listTrialsWithEpochs(t.searchId);
    const spent = trials.reduce((n, tr) => n + tr.epochs.filter((e) => e.epoch > tr.initialEpoch).length, 0);
    expect(spent).toBe(expected);
    const bestValue = Math.max(...trials.map((tr) => tr.value ?? -Infinity));
    expect(t.best.at(-1)).toBe(bestValue);
  });

  it('passes the reduction factor and asha\'s first rung through to the search', async () => {
    expect(replayRequest('asha', 2, table, 4).algorithm).toMatchObject({ minEpochs: 1, reductionFactor: 3 });
    expect(replayRequest('hyperband', 2, table, 4, { factor: 2 }).algorithm).toMatchObject({ name: 'hyperband', factor: 2, maxEpochs: 9 });
    const request = replayRequest('asha', 2, table, 4, { factor: 2, minEpochs: 3 });
    expect(request.algorithm).toMatchObject({ name: 'asha', minEpochs: 3, reductionFactor: 2, maxEpochs: 9 });
    const t = await replayRequestRun(deps, request, 'asha', 2);
    expect(t.status).toBe('completed');
    const trials = await store.listTrialsWithEpochs(t.searchId);
    // Configurations start at 3 epochs, and promotions (factor 2 from 3: 6, then 9) happened.
    expect(trials.filter((tr) => !tr.parentTrialId).map((tr) => tr.targetEpochs)).toEqual(trials.filter((tr) => !tr.parentTrialId).map(() => 3));
    expect(new Set(trials.filter((tr) => tr.parentTrialId).map((tr) => tr.targetEpochs))).toEqual(new Set([6, 9]));
  });

  it('runs every algorithm to a final status', async () => {
    for (const algorithm of ['grid', 'bayesian', 'asha', 'median'] as const) {
      const t = await replaySearch(deps, table, algorithm, 1, 4);
      expect(t.status, algorithm).toBe('completed');
      expect(t.best.length, algorithm).toBeLessThanOrEqual(36);
      expect(t.best.length, algorithm).toBeGreaterThan(0);
    }
  });
});
