import { describe, expect, it } from 'vitest';
import { comboKey, type HpValues } from '../../src/domain/hyperparameters.js';
import type { OracleInput, Promoter } from '../../src/domain/oracle.js';
import { normalizeSpec, type SearchRequest } from '../../src/domain/search-spec.js';
import { planNext, type TrialHistoryEntry } from '../../src/domain/schedule.js';
import { createAlgorithm } from '../../src/oracles/index.js';
import { RandomOracle } from '../../src/oracles/random-oracle.js';
import { referenceSearch } from '../fixtures/reference-search.js';

const spec = normalizeSpec(referenceSearch({ budget: { maxTrials: 3, maxParallelTrials: 2 } }), () => 1);
const trial = (id: string, status: TrialHistoryEntry['status'], valAccuracy: number | null = null): TrialHistoryEntry =>
  ({
    id, status, valAccuracy, value: valAccuracy, modelId: valAccuracy === null ? null : `m-${id}`, hyperparameters: { conv_1_filter: Number(id.slice(1)) },
    targetEpochs: null, initialEpoch: 0, parentTrialId: null, bracket: null, rung: null, source: 'oracle',
  });
const random = { oracle: new RandomOracle() };
const ctx = { now: new Date(), createdAt: new Date(), pending: [] };

describe('planNext', () => {
  it('fills the parallel slots, never beyond maxTrials', () => {
    expect(planNext(spec, [], random, ctx).newTrials).toHaveLength(2);
    expect(planNext(spec, [trial('t1', 'running')], random, ctx).newTrials).toHaveLength(1);
    expect(planNext(spec, [trial('t1', 'running'), trial('t2', 'completed', 0.8), trial('t3', 'waiting')], random, ctx).newTrials).toHaveLength(0);
  });

  it('finishes when the budget is spent and nothing runs, with the best trial and model', () => {
    const plan = planNext(spec, [trial('t1', 'completed', 0.8), trial('t2', 'failed'), trial('t3', 'completed', 0.9)], random, ctx);
    expect(plan).toMatchObject({ newTrials: [], finalStatus: 'completed', bestTrialId: 't3', bestModelId: 'm-t3' });
  });

  it('fails the search when no trial completed', () => {
    const plan = planNext(spec, [trial('t1', 'failed'), trial('t2', 'failed'), trial('t3', 'cancelled')], random, ctx);
    expect(plan.finalStatus).toBe('failed');
    expect(plan.error).toMatch(/no trial completed/);
  });

  it('does not finish while a trial runs', () => {
    expect(planNext(spec, [trial('t1', 'completed', 0.8), trial('t2', 'running'), trial('t3', 'completed', 0.7)], random, ctx).finalStatus).toBeNull();
  });
});

/** A trial with every field settable; hyperparameters unique per id. */
const tv = (id: string, status: TrialHistoryEntry['status'], value: number | null = null, extra: Partial<TrialHistoryEntry> = {}): TrialHistoryEntry => ({
  ...trial(id, status, value), ...extra,
});
const specOf = (over: Partial<SearchRequest>) => normalizeSpec(referenceSearch(over), () => 1);
const SECOND = 1000;

describe('planNext: warm starts', () => {
  const pending: HpValues[] = [{ conv_1_filter: 32 }, { conv_1_filter: 48 }, { conv_1_filter: 64 }];

  it('schedules pending configurations before the oracle and says how many it took', () => {
    const plan = planNext(spec, [], random, { ...ctx, pending });
    expect(plan.newTrials).toEqual([{ hyperparameters: pending[0], source: 'user' }, { hyperparameters: pending[1], source: 'user' }]);
    expect(plan.pendingTaken).toBe(2);
    // One slot left after one pending: the oracle fills the other.
    const mixed = planNext(spec, [], random, { ...ctx, pending: pending.slice(2) });
    expect(mixed.newTrials.map((t) => t.source)).toEqual(['user', 'oracle']);
    expect(mixed.pendingTaken).toBe(1);
  });

  it('counts them against maxTrials', () => {
    const plan = planNext(spec, [tv('t1', 'completed', 0.8), tv('t2', 'completed', 0.7)], random, { ...ctx, pending });
    expect(plan.newTrials).toEqual([{ hyperparameters: pending[0], source: 'user' }]);
    expect(plan.pendingTaken).toBe(1);
    const full = [tv('t1', 'completed', 0.8), tv('t2', 'completed', 0.7), tv('t3', 'completed', 0.6, { source: 'user' })];
    expect(planNext(spec, full, random, { ...ctx, pending }).newTrials).toEqual([]);
  });

  it('gives a multi-fidelity search\'s warm starts the full maxEpochs', () => {
    const hb = specOf({ algorithm: { name: 'hyperband', seed: 1, maxEpochs: 9 }, budget: { maxTrials: 9, maxParallelTrials: 1 } });
    expect(planNext(hb, [], createAlgorithm(hb.algorithm), { ...ctx, pending }).newTrials).toEqual([{ hyperparameters: pending[0], source: 'user', targetEpochs: 9 }]);
  });
});

describe('planNext: budgets', () => {
  it('starts no trial after maxDurationSeconds, and ends the search once nothing runs', () => {
    const timed = specOf({ budget: { maxTrials: 10, maxParallelTrials: 2, maxDurationSeconds: 60 } });
    const createdAt = new Date(0);
    expect(planNext(timed, [], random, { ...ctx, createdAt, now: new Date(59 * SECOND) }).newTrials).toHaveLength(2);
    const late = { ...ctx, createdAt, now: new Date(60 * SECOND), pending: [{ conv_1_filter: 32 }] };
    const running = planNext(timed, [tv('t1', 'completed', 0.5), tv('t2', 'running')], random, late);
    expect(running).toMatchObject({ newTrials: [], pendingTaken: 0, finalStatus: null });
    expect(planNext(timed, [tv('t1', 'completed', 0.5), tv('t2', 'completed', 0.6)], random, late)).toMatchObject({ newTrials: [], finalStatus: 'completed', bestTrialId: 't2' });
  });

  it('completes the search as soon as a trial reaches targetValue, in the objective\'s direction', () => {
    const target = specOf({ budget: { maxTrials: 10, maxParallelTrials: 2, targetValue: 0.9 } });
    expect(planNext(target, [tv('t1', 'completed', 0.89), tv('t2', 'running')], random, ctx)).toMatchObject({ finalStatus: null });
    expect(planNext(target, [tv('t1', 'completed', 0.91), tv('t2', 'running')], random, ctx)).toMatchObject({ newTrials: [], finalStatus: 'completed', bestTrialId: 't1' });
    const loss = specOf({ objective: { metric: 'val_loss' }, budget: { maxTrials: 10, maxParallelTrials: 2, targetValue: 0.3 } });
    expect(planNext(loss, [tv('t1', 'completed', 0.35)], random, ctx).finalStatus).toBeNull();
    expect(planNext(loss, [tv('t1', 'completed', 0.35), tv('t2', 'completed', 0.3)], random, ctx)).toMatchObject({ finalStatus: 'completed', bestTrialId: 't2' });
  });

  it('caps the epochs all trials train together at maxTotalEpochs, executions counted', () => {
    // training.epochs is 3 in the reference search.
    const capped = specOf({ budget: { maxTrials: 10, maxParallelTrials: 4, maxTotalEpochs: 7 } });
    expect(planNext(capped, [], random, ctx).newTrials).toHaveLength(2);
    expect(planNext(capped, [tv('t1', 'completed', 0.5), tv('t2', 'completed', 0.6)], random, ctx)).toMatchObject({ newTrials: [], finalStatus: 'completed' });
    const twice = specOf({ budget: { maxTrials: 10, maxParallelTrials: 4, maxTotalEpochs: 7 }, training: { epochs: 3, batchSize: 32, validationSplit: 0.1, executionsPerTrial: 2 } });
    expect(planNext(twice, [], random, ctx).newTrials).toHaveLength(1);
    // A promotion costs only the epochs it adds: three 1-epoch trials spent 3 of 10, and 1 -> 3 costs 2.
    const hb = specOf({ algorithm: { name: 'hyperband', seed: 1, maxEpochs: 9 }, budget: { maxTrials: 3, maxParallelTrials: 3, maxTotalEpochs: 10 } });
    const rung = (id: string, v: number) => tv(id, 'completed', v, { targetEpochs: 1, bracket: 0, rung: 0 });
    const plan = planNext(hb, [rung('t1', 0.1), rung('t2', 0.3), rung('t3', 0.2)], createAlgorithm(hb.algorithm), ctx);
    expect(plan.newTrials).toMatchObject([{ parentTrialId: 't2', initialEpoch: 1, targetEpochs: 3 }]);
    const promoted = tv('t4', 'completed', 0.5, { targetEpochs: 3, initialEpoch: 1, parentTrialId: 't2', bracket: 0, rung: 1 });
    // 3 + 2 = 5 spent, 5 left: the 3 -> 9 promotion (6) does not fit; the search ends.
    expect(planNext(hb, [rung('t1', 0.1), rung('t2', 0.3), rung('t3', 0.2), promoted], createAlgorithm(hb.algorithm), ctx)).toMatchObject({ newTrials: [], finalStatus: 'completed' });
  });
});

describe('planNext: multi-fidelity', () => {
  it('counts configurations against maxTrials, not promotions', () => {
    const hb = specOf({ algorithm: { name: 'hyperband', seed: 1, maxEpochs: 9 }, budget: { maxTrials: 3, maxParallelTrials: 2 } });
    const rung0 = [0.1, 0.3, 0.2].map((v, i) => tv(`t${i + 1}`, 'completed', v, { targetEpochs: 1, bracket: 0, rung: 0 }));
    const plan = planNext(hb, rung0, createAlgorithm(hb.algorithm), ctx);
    // No room for a new configuration (bracket 1), but the promotion goes ahead.
    expect(plan.newTrials).toEqual([{ hyperparameters: rung0[1].hyperparameters, parentTrialId: 't2', initialEpoch: 1, targetEpochs: 3, bracket: 0, rung: 1, source: 'oracle' }]);
    // Promotions already made do not use up configurations either: one more fits in maxTrials 4.
    const more = { ...hb, budget: { ...hb.budget, maxTrials: 4 } };
    const child = tv('t4', 'running', null, { targetEpochs: 3, initialEpoch: 1, parentTrialId: 't2', bracket: 0, rung: 1 });
    expect(planNext(more, [...rung0, child], createAlgorithm(hb.algorithm), ctx).newTrials).toMatchObject([{ bracket: 1, rung: 0, targetEpochs: 3 }]);
    const asha = specOf({ algorithm: { name: 'asha', seed: 1, maxEpochs: 9 }, budget: { maxTrials: 3, maxParallelTrials: 2 } });
    const a0 = [0.1, 0.3, 0.2].map((v, i) => tv(`t${i + 1}`, 'completed', v, { targetEpochs: 1, rung: 0 }));
    expect(planNext(asha, a0, createAlgorithm(asha.algorithm), ctx).newTrials).toMatchObject([{ parentTrialId: 't2', rung: 1, targetEpochs: 3 }]);
  });

  it('hands a promoter that samples several times distinct configurations, within the room', () => {
    const seen: HpValues[][] = [];
    const promoter: Promoter = {
      propose({ sample }) {
        for (let i = 0; i < 4; i++) seen.push(sample(1));
        return seen.flat().map((hyperparameters) => ({ hyperparameters, targetEpochs: 1 }));
      },
    };
    const hb = specOf({ algorithm: { name: 'hyperband', seed: 1, maxEpochs: 9 }, budget: { maxTrials: 10, maxParallelTrials: 3 } });
    const plan = planNext(hb, [], { oracle: new RandomOracle(), promoter }, ctx);
    expect(seen.map((v) => v.length)).toEqual([1, 1, 1, 0]);
    expect(new Set(plan.newTrials.map((t) => comboKey(t.hyperparameters))).size).toBe(3);
  });

  it('skips a proposal too long for the epochs left and takes a shorter one after it', () => {
    const promoter: Promoter = {
      propose: ({ sample }) => [{ hyperparameters: sample(1)[0], targetEpochs: 9 }, { hyperparameters: sample(1)[0], targetEpochs: 1 }],
    };
    const hb = specOf({ algorithm: { name: 'hyperband', seed: 1, maxEpochs: 9 }, budget: { maxTrials: 10, maxParallelTrials: 3, maxTotalEpochs: 5 } });
    expect(planNext(hb, [], { oracle: new RandomOracle(), promoter }, ctx).newTrials.map((t) => t.targetEpochs)).toEqual([1]);
  });

  it("tells the sampler the epochs each configuration trains to, and samples with TPE unless sampler is 'random'", () => {
    const asha = specOf({ algorithm: { name: 'asha', seed: 1, maxEpochs: 9 }, budget: { maxTrials: 10, maxParallelTrials: 2 } });
    const algorithm = createAlgorithm(asha.algorithm);
    expect(algorithm.oracle.constructor.name).toBe('TpeOracle');
    expect(createAlgorithm({ name: 'asha', sampler: 'random' }).oracle.constructor.name).toBe('RandomOracle');
    const inputs: OracleInput[] = [];
    const spy = { oracle: { suggest: (input: OracleInput, n: number) => (inputs.push(input), algorithm.oracle.suggest(input, n)) }, promoter: algorithm.promoter };
    const done = [0.1, 0.3, 0.2].map((v, i) => tv(`t${i + 1}`, 'completed', v, { targetEpochs: 1, rung: 0 }));
    const child = tv('t4', 'completed', 0.4, { targetEpochs: 3, initialEpoch: 1, parentTrialId: 't2', rung: 1, hyperparameters: done[1].hyperparameters });
    planNext(asha, [...done, child], spy, ctx);
    expect(inputs[0].history.map((t) => t.epochs)).toEqual([1, 1, 1, 3]);
  });
});

describe('planNext: best trial', () => {
  it('ranks by value in the objective\'s direction: the smallest loss wins', () => {
    const loss = specOf({ objective: { metric: 'val_loss' }, budget: { maxTrials: 3, maxParallelTrials: 1 } });
    // valAccuracy says the opposite: only `value` counts.
    const trials = [tv('t1', 'completed', 0.3, { valAccuracy: 0.1 }), tv('t2', 'completed', 0.2, { valAccuracy: 0.05 }), tv('t3', 'completed', 0.5, { valAccuracy: 0.9 })];
    expect(planNext(loss, trials, random, ctx)).toMatchObject({ finalStatus: 'completed', bestTrialId: 't2', bestModelId: 'm-t2' });
    expect(planNext(spec, trials, random, ctx).bestTrialId).toBe('t3');
  });

  it('ignores retrain trials: not the best, not counted against maxTrials, slots or failures', () => {
    const limited = specOf({ budget: { maxTrials: 2, maxParallelTrials: 1, maxFailedTrials: 1 } });
    const retrains = [tv('r1', 'completed', 0.99, { source: 'retrain' }), tv('r2', 'running', null, { source: 'retrain' }), tv('r3', 'failed', null, { source: 'retrain' })];
    const plan = planNext(limited, [tv('t1', 'completed', 0.5), ...retrains], random, ctx);
    expect(plan).toMatchObject({ finalStatus: null, bestTrialId: 't1' });
    expect(plan.newTrials).toHaveLength(1);
  });
});

describe('planNext with several objectives', () => {
  it('hands the oracle each objective’s direction and the completed trials’ values', () => {
    const multi = normalizeSpec(referenceSearch({
      objective: undefined, objectives: [{ name: 'val_accuracy' }, { name: 'params' }],
      algorithm: { name: 'bayesian', seed: 1 }, budget: { maxTrials: 5, maxParallelTrials: 1 },
    }), () => 1);
    const seen: Parameters<RandomOracle['suggest']>[0][] = [];
    const oracle = { suggest: (input: Parameters<RandomOracle['suggest']>[0], count: number) => { seen.push(input); return new RandomOracle().suggest(input, count); } };
    planNext(multi, [{ ...trial('t1', 'completed', 0.8), values: [0.8, 1200] }], { oracle }, ctx);
    expect(seen[0].directions).toEqual(['max', 'min']);
    expect(seen[0].direction).toBe('max');
    expect(seen[0].history[0].values).toEqual([0.8, 1200]);
    // A single-objective search sends no directions.
    planNext(spec, [trial('t1', 'completed', 0.8)], { oracle }, ctx);
    expect(seen[1].directions).toBeUndefined();
  });
});
