import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { hyperbandConfigCount } from '../../src/domain/hyperband-brackets.js';
import { normalizeSpec, validateSpec, type SearchRequest } from '../../src/domain/search-spec.js';
import { referenceSearch } from '../fixtures/reference-search.js';

const limits = { maxTrialsPerSearch: 100, maxEpochs: 50, maxParallelTrials: 8, maxParams: 50_000_000, maxBatchMemoryMb: 4096 };
const spec = (over: Partial<SearchRequest>) => normalizeSpec(referenceSearch(over), () => 1);
const fieldOf = (over: Partial<SearchRequest>): string => {
  try {
    validateSpec(spec(over), limits);
  } catch (e) {
    if (e instanceof ValidationError) return e.field;
    throw e;
  }
  throw new Error('expected a ValidationError');
};
const training = (epochs: number) => ({ training: { epochs, batchSize: 32, validationSplit: 0.1 } });

describe('algorithm settings: defaults', () => {
  it('random search, val_accuracy maximized, no early stopping, no optional budget', () => {
    const s = normalizeSpec({ ...referenceSearch(), algorithm: undefined, objective: undefined, earlyStopping: undefined, budget: undefined }, () => 9);
    expect(s.algorithm).toEqual({ name: 'random', seed: 9 });
    expect(s.objective).toEqual({ metric: 'val_accuracy', direction: 'max' });
    expect(s.earlyStopping).toEqual({ name: 'none', startEpoch: 1, minTrials: 3 });
    expect(s.budget).toEqual({ maxTrials: 10, maxParallelTrials: 1, maxRetriesPerTrial: 2, maxRetrains: 3 });
    expect(s.training).not.toHaveProperty('executionsPerTrial');
    expect(() => validateSpec(s, limits)).not.toThrow();
  });

  it('takes the direction from the metric: losses are minimized, unless the request says otherwise', () => {
    expect(spec({ objective: { metric: 'val_loss' } }).objective).toEqual({ metric: 'val_loss', direction: 'min' });
    expect(spec({ objective: { metric: 'loss' } }).objective.direction).toBe('min');
    expect(spec({ objective: { metric: 'accuracy' } }).objective.direction).toBe('max');
    expect(spec({ objective: { metric: 'val_loss', direction: 'max' } }).objective.direction).toBe('max');
  });

  it('hyperband: maxEpochs from training.epochs, factor 3, one iteration, maxTrials the configurations of its brackets', () => {
    const s = spec({ algorithm: { name: 'hyperband', seed: 1 }, budget: {}, ...training(9) });
    expect(s.algorithm).toEqual({ name: 'hyperband', seed: 1, sampler: 'tpe', initialRandomTrials: 3, maxEpochs: 9, factor: 3, hyperbandIterations: 1 });
    expect(s.budget.maxTrials).toBe(9);
    const t = spec({ algorithm: { name: 'hyperband', seed: 1, maxEpochs: 27, factor: 3, hyperbandIterations: 2 }, budget: {} });
    expect(t.budget.maxTrials).toBe(hyperbandConfigCount(27, 3, 2));
    expect(spec({ algorithm: { name: 'hyperband', seed: 1 }, budget: { maxTrials: 4 } }).budget.maxTrials).toBe(4);
    expect(() => validateSpec(t, limits)).not.toThrow();
  });

  it("hyperband with the paper's brackets: kept in the spec, and maxTrials counts their configurations (9 + 5 + 3 for 9 epochs)", () => {
    const s = spec({ algorithm: { name: 'hyperband', seed: 1, brackets: 'paper' }, budget: {}, ...training(9) });
    expect(s.algorithm).toMatchObject({ name: 'hyperband', brackets: 'paper', maxEpochs: 9, factor: 3 });
    expect(s.budget.maxTrials).toBe(17);
    expect(() => validateSpec(s, limits)).not.toThrow();
  });

  it('asha: minEpochs 1, maxEpochs from training.epochs, reductionFactor 3', () => {
    const s = spec({ algorithm: { name: 'asha', seed: 1 }, ...training(12) });
    expect(s.algorithm).toEqual({ name: 'asha', seed: 1, sampler: 'tpe', initialRandomTrials: 3, minEpochs: 1, maxEpochs: 12, reductionFactor: 3 });
    expect(() => validateSpec(s, limits)).not.toThrow();
  });

  it("hyperband and asha sample with TPE: random configurations first, as bayesian (a quarter of maxTrials, 3 to 10); 'random' on request", () => {
    expect(spec({ algorithm: { name: 'asha', seed: 1, sampler: 'random' } }).algorithm).toEqual({ name: 'asha', seed: 1, sampler: 'random', minEpochs: 1, maxEpochs: 3, reductionFactor: 3 });
    const s = spec({ algorithm: { name: 'asha', seed: 1 }, budget: { maxTrials: 20 }, ...training(9) });
    expect(s.algorithm).toMatchObject({ name: 'asha', sampler: 'tpe', initialRandomTrials: 5 });
    const t = spec({ algorithm: { name: 'hyperband', seed: 1, sampler: 'tpe', initialRandomTrials: 4 }, budget: {}, ...training(9) });
    expect(t.algorithm).toMatchObject({ name: 'hyperband', sampler: 'tpe', initialRandomTrials: 4 });
    expect(() => validateSpec(s, limits)).not.toThrow();
    expect(() => validateSpec(t, limits)).not.toThrow();
  });

  it('keeps the optional budget and training fields that are given', () => {
    const s = spec({
      budget: { maxTrials: 5, maxParallelTrials: 1, maxDurationSeconds: 60, targetValue: 0.9, maxTotalEpochs: 20 },
      training: { epochs: 2, batchSize: 32, validationSplit: 0.1, executionsPerTrial: 2 },
      earlyStopping: { name: 'median' },
    });
    expect(s.budget).toMatchObject({ maxDurationSeconds: 60, targetValue: 0.9, maxTotalEpochs: 20 });
    expect(s.training.executionsPerTrial).toBe(2);
    expect(s.earlyStopping).toEqual({ name: 'median', startEpoch: 1, minTrials: 3 });
    expect(() => validateSpec(s, limits)).not.toThrow();
  });
});

describe('algorithm settings: every error names its field', () => {
  const cases: [string, Partial<SearchRequest>][] = [
    ['objective.metric', { objective: { metric: 'f1' as never } }],
    ['algorithm.maxEpochs', { algorithm: { name: 'random', maxEpochs: 3 } }],
    ['algorithm.factor', { algorithm: { name: 'asha', factor: 3 } }],
    ['algorithm.hyperbandIterations', { algorithm: { name: 'bayesian', hyperbandIterations: 2 } }],
    ['algorithm.minEpochs', { algorithm: { name: 'hyperband', minEpochs: 1 } }],
    ['algorithm.reductionFactor', { algorithm: { name: 'hyperband', reductionFactor: 2 } }],
    ['algorithm.maxEpochs', { algorithm: { name: 'hyperband', maxEpochs: 0 } }],
    ['algorithm.maxEpochs', { algorithm: { name: 'hyperband', maxEpochs: 51 } }],
    ['algorithm.maxEpochs', { algorithm: { name: 'asha', maxEpochs: 2.5 } }],
    ['algorithm.factor', { algorithm: { name: 'hyperband', factor: 1 } }],
    ['algorithm.factor', { algorithm: { name: 'hyperband', factor: 11 } }],
    ['algorithm.factor', { algorithm: { name: 'hyperband', factor: 1 }, budget: {} }],
    ['algorithm.maxEpochs', { algorithm: { name: 'hyperband', maxEpochs: 0 }, budget: {} }],
    ['algorithm.hyperbandIterations', { algorithm: { name: 'hyperband', hyperbandIterations: 0 }, budget: {} }],
    ['algorithm.hyperbandIterations', { algorithm: { name: 'hyperband', hyperbandIterations: 21 }, budget: {} }],
    ['algorithm.hyperbandIterations', { algorithm: { name: 'hyperband', hyperbandIterations: 1.5 }, budget: {} }],
    ['algorithm.minEpochs', { algorithm: { name: 'asha', minEpochs: 0 } }],
    ['algorithm.minEpochs', { algorithm: { name: 'asha', minEpochs: 5, maxEpochs: 4 } }],
    ['algorithm.reductionFactor', { algorithm: { name: 'asha', reductionFactor: 1 } }],
    ['algorithm.brackets', { algorithm: { name: 'asha', brackets: 'paper' } }],
    ['algorithm.brackets', { algorithm: { name: 'hyperband', brackets: 'li' as never } }],
    ['algorithm.sampler', { algorithm: { name: 'bayesian', sampler: 'tpe' } }],
    ['algorithm.sampler', { algorithm: { name: 'asha', sampler: 'gp' as never } }],
    ['algorithm.initialRandomTrials', { algorithm: { name: 'asha', sampler: 'random', initialRandomTrials: 3 } }],
    ['algorithm.initialRandomTrials', { algorithm: { name: 'hyperband', sampler: 'tpe', initialRandomTrials: 0 }, budget: {} }],
    ['earlyStopping.name', { earlyStopping: { name: 'percentile' as never } }],
    ['earlyStopping.startEpoch', { earlyStopping: { name: 'median', startEpoch: 0 } }],
    ['earlyStopping.minTrials', { earlyStopping: { name: 'median', minTrials: 0 } }],
    ['earlyStopping.minTrials', { earlyStopping: { name: 'median', minTrials: 101 } }],
    ['training.executionsPerTrial', { training: { epochs: 2, batchSize: 32, validationSplit: 0.1, executionsPerTrial: 0 } }],
    ['training.executionsPerTrial', { training: { epochs: 2, batchSize: 32, validationSplit: 0.1, executionsPerTrial: 11 } }],
    ['budget.maxDurationSeconds', { budget: { maxTrials: 2, maxDurationSeconds: 0 } }],
    ['budget.maxTotalEpochs', { budget: { maxTrials: 2, maxTotalEpochs: 0 } }],
    ['budget.maxTotalEpochs', { budget: { maxTrials: 2, maxTotalEpochs: 100 * 50 + 1 } }],
    ['budget.targetValue', { budget: { maxTrials: 2, targetValue: Number.NaN } }],
    ['budget.targetValue', { budget: { maxTrials: 2, targetValue: Number.POSITIVE_INFINITY } }],
  ];
  it.each(cases)('%s', (field, over) => {
    expect(fieldOf(over)).toBe(field);
  });
});
