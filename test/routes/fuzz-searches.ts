// Valid searches for test/routes/fuzz.test.ts: the notebook's search with its settings varied
// within the contract (algorithms and their settings, budgets, training, ranges, names). Every 201
// is checked: the answer and a read-back hold the request as normalized (normalizeSpec, with the
// seed the service drew when none was sent), the search's first trials have jobs in the queue; then
// it is cancelled and its jobs are gone.
import fc from 'fast-check';
import { expect } from 'vitest';
import { normalizeSpec, type SearchRequest } from '../../src/domain/search-spec.js';
import { NOTEBOOK_SEARCH } from '../../src/schemas/search-example.js';
import type { Harness } from '../helpers/harness.js';

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const algorithm = fc.oneof(
  fc.record({ name: fc.constantFrom('random' as const, 'grid' as const), seed: opt(fc.integer({ min: 0, max: 2 ** 31 })) }, { requiredKeys: ['name'] }),
  fc.record({ name: fc.constant('bayesian' as const), seed: opt(fc.nat()), initialRandomTrials: opt(fc.integer({ min: 1, max: 5 })) }, { requiredKeys: ['name'] }),
  fc.record({ name: fc.constant('hyperband' as const), maxEpochs: fc.integer({ min: 1, max: 4 }), factor: opt(fc.integer({ min: 2, max: 4 })) }, { requiredKeys: ['name', 'maxEpochs'] }),
  fc.record({ name: fc.constant('asha' as const), maxEpochs: fc.integer({ min: 2, max: 4 }), minEpochs: fc.constant(1), reductionFactor: opt(fc.integer({ min: 2, max: 4 })) }, { requiredKeys: ['name', 'maxEpochs'] }),
);

/** A valid search request (as sent: optional parts left out at random). */
export const validSearch: fc.Arbitrary<SearchRequest> = fc.record({
  name: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((n) => !n.includes('\u0000')),
  dataset: fc.record({ id: fc.constant('fashion-mnist'), limit: opt(fc.integer({ min: 100, max: 60000 })) }, { requiredKeys: ['id'] }),
  algorithm: opt(algorithm),
  objective: opt(fc.record({ metric: fc.constantFrom('val_accuracy' as const, 'val_loss' as const), direction: opt(fc.constantFrom('max' as const, 'min' as const)) }, { requiredKeys: ['metric'] })),
  budget: opt(fc.record({ maxTrials: fc.integer({ min: 1, max: 6 }), maxParallelTrials: fc.integer({ min: 1, max: 3 }), maxRetriesPerTrial: fc.integer({ min: 0, max: 10 }) }, { requiredKeys: [] })),
  training: opt(fc.record({ epochs: fc.integer({ min: 1, max: 3 }), batchSize: fc.integer({ min: 1, max: 256 }), validationSplit: fc.double({ min: 0.05, max: 0.5, noNaN: true }) }, { requiredKeys: [] })),
  filter: fc.tuple(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 0, max: 64 }), fc.constantFrom(undefined, 1, 8, 16)),
  lr: fc.uniqueArray(fc.double({ min: 1e-5, max: 0.5, noNaN: true }), { minLength: 1, maxLength: 4 }),
}).map(({ filter: [min, span, step], lr, ...parts }) => {
  const req = { ...structuredClone(NOTEBOOK_SEARCH), ...parts } as SearchRequest;
  for (const k of ['algorithm', 'objective', 'budget', 'training'] as const) if (req[k] === undefined) delete req[k];
  req.hyperparameters[0] = { name: 'conv_1_filter', type: 'int', min, max: min + span, ...(step ? { step } : {}) };
  req.hyperparameters[5] = { name: 'learning_rate', type: 'choice', values: lr };
  return req;
});

const jobsOf = async (h: Harness, searchId: string) =>
  (await h.core.queue.queue.getJobs(['waiting', 'prioritized', 'delayed', 'active'])).filter((j) => j.data.searchId === searchId);

/** Creates the search and checks all of it; returns its id (the caller checks nothing else changed). */
export async function createAndCheck(h: Harness, authorization: string, req: SearchRequest): Promise<string> {
  const sent = JSON.stringify(req);
  const res = await h.app.inject({ method: 'POST', url: '/searches', payload: sent, headers: { authorization, 'content-type': 'application/json' } });
  const what = `POST /searches ${sent.slice(0, 600)} → ${res.statusCode} ${res.payload.slice(0, 400)}`;
  expect(res.statusCode, what).toBe(201);
  const created = res.json();
  const normalized = JSON.parse(JSON.stringify(normalizeSpec(JSON.parse(sent), () => created.spec.algorithm.seed)));
  expect(created.spec, what).toEqual(normalized);
  expect(created.status, what).toMatch(/^(queued|running)$/);
  const read = await h.app.inject({ method: 'GET', url: `/searches/${created.id}`, headers: { authorization } });
  expect(read.statusCode, what).toBe(200);
  expect(read.json().spec, what).toEqual(normalized);
  // The first trials are waiting, each with its job (no worker runs here).
  const jobs = await jobsOf(h, created.id);
  expect(created.trials.waiting, what).toBeGreaterThanOrEqual(1);
  expect(jobs.length, what).toBe(created.trials.waiting);
  const cancel = await h.app.inject({ method: 'POST', url: `/searches/${created.id}/cancel`, headers: { authorization } });
  expect(cancel.statusCode, what).toBe(200);
  expect(cancel.json().status, what).toBe('cancelled');
  expect(await jobsOf(h, created.id), what).toEqual([]);
  return created.id;
}
