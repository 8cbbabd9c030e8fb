import { describe, expect, it } from 'vitest';
import type { TrialHistoryEntry } from '../../src/domain/schedule.js';
import { normalizeSpec } from '../../src/domain/search-spec.js';
import type { EpochRecord } from '../../src/ports/epoch-store.js';
import { TrialObjectiveValues } from '../../src/services/trial-objective-values.js';
import { microSearch } from '../fixtures/micro-search.js';

const entry = (id: string, status: TrialHistoryEntry['status'], hyperparameters = { filters: 4, units: 8, learning_rate: 0.01 }): TrialHistoryEntry => ({
  id, status, hyperparameters, valAccuracy: null, value: null, modelId: null, targetEpochs: null, initialEpoch: 0, parentTrialId: null, bracket: null, rung: null, source: 'oracle',
});

/** Epochs by trial, recording which trials each read asked for (the store's port, in memory). */
function epochStore(epochs: Record<string, EpochRecord[]>) {
  const reads: string[][] = [];
  return { reads, listEpochsOf: async (ids: string[]) => { reads.push(ids); return ids.flatMap((id) => epochs[id] ?? []); } };
}

const row = (trialId: string, epoch: number, valAccuracy: number): EpochRecord => ({ trialId, epoch, valAccuracy, valLoss: 1 - valAccuracy, loss: 1, accuracy: 0.5, durationMs: 5 });

describe('trial objective values for the scheduler', () => {
  const spec = (name: 'bayesian' | 'random') => normalizeSpec(microSearch({
    objectives: [{ name: 'val_accuracy' }, { name: 'params' }], algorithm: { name, seed: 1 },
  }), () => 1);

  it('gives a bayesian search each completed trial its values, read once', async () => {
    const store = epochStore({ a: [row('a', 1, 0.5), row('a', 2, 0.7)], b: [row('b', 1, 0.6)] });
    const values = new TrialObjectiveValues(store);
    const trials = [entry('a', 'completed'), entry('b', 'completed', { filters: 8, units: 32, learning_rate: 0.01 }), entry('c', 'running')];
    const filled = await values.fill('s', spec('bayesian'), trials);
    // conv 3x3 stride 2 on 28x28: 13x13xfilters, flattened into `units`, then 10 classes.
    const params = (f: number, u: number) => (9 * f + f) + (13 * 13 * f * u + u) + (u * 10 + 10);
    expect(filled.map((t) => t.values)).toEqual([[0.7, params(4, 8)], [0.6, params(8, 32)], undefined]);
    await values.fill('s', spec('bayesian'), trials);
    expect(store.reads).toEqual([['a', 'b'], []]);
    // Forgotten with its search: read again.
    values.forget('s');
    await values.fill('s', spec('bayesian'), trials);
    expect(store.reads).toEqual([['a', 'b'], [], ['a', 'b']]);
  });

  it('gives each completed trial its stored latency for latency_ms, and no values to one without', async () => {
    const store = epochStore({ a: [row('a', 1, 0.5), row('a', 2, 0.7)], b: [row('b', 1, 0.6)], c: [row('c', 1, 0.9)] });
    const timed = normalizeSpec(microSearch({ objectives: [{ name: 'val_accuracy' }, { name: 'latency_ms' }], algorithm: { name: 'bayesian', seed: 1 } }), () => 1);
    const trials = [{ ...entry('a', 'completed'), latencyMs: 0.42 }, { ...entry('b', 'completed'), latencyMs: 1.5 }, { ...entry('c', 'completed'), latencyMs: null }];
    expect((await new TrialObjectiveValues(store).fill('s', timed, trials)).map((t) => t.values)).toEqual([[0.7, 0.42], [0.6, 1.5], null]);
  });

  it('keeps a bounded number of searches, the least recently read evicted first', async () => {
    const store = epochStore({ a: [row('a', 1, 0.5)] });
    const values = new TrialObjectiveValues(store, 2);
    const trials = [entry('a', 'completed')];
    for (const id of ['s1', 's2', 's1', 's3']) await values.fill(id, spec('bayesian'), trials);
    // s2 was evicted (s1 read after it), s1 was not.
    await values.fill('s1', spec('bayesian'), trials);
    await values.fill('s2', spec('bayesian'), trials);
    expect(store.reads.map((r) => r.length)).toEqual([1, 1, 0, 1, 0, 1]);
  });

  it('reads nothing where the oracle does not model (random) or for a single objective', async () => {
    const store = epochStore({});
    const values = new TrialObjectiveValues(store);
    const trials = [entry('a', 'completed')];
    expect(await values.fill('s', spec('random'), trials)).toBe(trials);
    expect(await values.fill('s', normalizeSpec(microSearch({ algorithm: { name: 'bayesian' } }), () => 1), trials)).toBe(trials);
    expect(store.reads).toEqual([]);
  });
});
