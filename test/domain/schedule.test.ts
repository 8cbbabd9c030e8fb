import { describe, expect, it } from 'vitest';
import { normalizeSpec } from '../../src/domain/search-spec.js';
import { planNext, type TrialView } from '../../src/domain/schedule.js';
import { RandomOracle } from '../../src/oracles/random-oracle.js';
import { referenceSearch } from '../fixtures/reference-search.js';

const spec = normalizeSpec(referenceSearch({ budget: { maxTrials: 3, maxParallelTrials: 2 } }), () => 1);
const trial = (id: string, status: TrialView['status'], valAccuracy: number | null = null): TrialView =>
  ({ id, status, valAccuracy, modelId: valAccuracy === null ? null : `m-${id}`, hyperparameters: { conv_1_filter: Number(id.slice(1)) } });

describe('planNext', () => {
  it('fills the parallel slots, never beyond maxTrials', () => {
    expect(planNext(spec, [], new RandomOracle()).newTrials).toHaveLength(2);
    expect(planNext(spec, [trial('t1', 'running')], new RandomOracle()).newTrials).toHaveLength(1);
    expect(planNext(spec, [trial('t1', 'running'), trial('t2', 'completed', 0.8), trial('t3', 'waiting')], new RandomOracle()).newTrials).toHaveLength(0);
  });

  it('finishes when the budget is spent and nothing runs, with the best trial and model', () => {
    const plan = planNext(spec, [trial('t1', 'completed', 0.8), trial('t2', 'failed'), trial('t3', 'completed', 0.9)], new RandomOracle());
    expect(plan).toMatchObject({ newTrials: [], finalStatus: 'completed', bestTrialId: 't3', bestModelId: 'm-t3' });
  });

  it('fails the search when no trial completed', () => {
    const plan = planNext(spec, [trial('t1', 'failed'), trial('t2', 'failed'), trial('t3', 'cancelled')], new RandomOracle());
    expect(plan.finalStatus).toBe('failed');
    expect(plan.error).toMatch(/no trial completed/);
  });

  it('does not finish while a trial runs', () => {
    expect(planNext(spec, [trial('t1', 'completed', 0.8), trial('t2', 'running'), trial('t3', 'completed', 0.7)], new RandomOracle()).finalStatus).toBeNull();
  });
});
