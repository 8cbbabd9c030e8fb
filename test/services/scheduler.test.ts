// The scheduler under concurrency: many processes may call advance() at once (every worker does
// when a trial ends); the version check must keep maxTrials and maxParallelTrials exact.
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { Scheduler } from '../../src/services/scheduler.js';
import { referenceSearch } from '../fixtures/reference-search.js';
import { postgresAvailable, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness | undefined;
afterEach(async () => { await h?.close(); h = undefined; });

async function concurrentAdvance(db: 'sqlite' | 'postgres', algorithm: 'random' | 'bayesian' = 'random') {
  h = await startHarness(db);
  const { store } = h.core;
  const search = await h.core.searches.create(referenceSearch({ budget: { maxTrials: 7, maxParallelTrials: 3 }, algorithm: { name: algorithm, seed: 42, ...(algorithm === 'bayesian' ? { initialRandomTrials: 2 } : {}) } }));
  // Several schedulers, as in several processes, each with its own view of the store.
  const schedulers = Array.from({ length: 6 }, () => new Scheduler(store, h!.core.queue, createLogger('silent', 'test')));
  for (let round = 0; round < 6; round++) {
    for (const t of await store.listTrials(search.id)) {
      if (t.status === 'waiting') {
        await store.updateTrialIf(t.id, ['waiting'], { status: 'running' });
        await store.updateTrialIf(t.id, ['running'], { status: 'completed', valAccuracy: 0.5 + t.number / 100, value: 0.5 + t.number / 100 });
      }
    }
    await Promise.all(schedulers.map((s) => s.advance(search.id)));
    const trials = await store.listTrials(search.id);
    expect(trials.filter((t) => t.status === 'waiting').length).toBeLessThanOrEqual(3);
    expect(trials.length).toBeLessThanOrEqual(7);
    expect(new Set(trials.map((t) => JSON.stringify(t.hyperparameters))).size).toBe(trials.length);
  }
  const trials = await store.listTrials(search.id);
  expect(trials.map((t) => t.number)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  const done = await store.getSearch(search.id);
  expect(done).toMatchObject({ status: 'completed', bestTrialId: trials[6].id });
}

describe('scheduler', () => {
  it('never exceeds the budget when advanced concurrently (SQLite)', async () => { await concurrentAdvance('sqlite'); });
  it('never exceeds the budget with the bayesian oracle either', async () => { await concurrentAdvance('sqlite', 'bayesian'); });
  it('never exceeds the budget when advanced concurrently (PostgreSQL)', async (ctx) => {
    if (!(await postgresAvailable())) ctx.skip();
    await concurrentAdvance('postgres');
  });
});
