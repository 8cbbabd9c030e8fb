import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { describeArchitecture } from '../../src/domain/model-summary.js';
import { resolveTemplate } from '../../src/domain/model-template.js';
import { measuresLatency, paretoFront, trialObjectiveValues } from '../../src/domain/objectives.js';
import { dominates } from '../../src/domain/pareto.js';
import { normalizeSpec, validateSpec, type SearchRequest } from '../../src/domain/search-spec.js';
import { NOTEBOOK_BEST_HPS, referenceSearch } from '../fixtures/reference-search.js';

const limits = { maxTrialsPerSearch: 100, maxEpochs: 50, maxParallelTrials: 8, maxParams: 50_000_000, maxBatchMemoryMb: 4096 };
const multi = (objectives: SearchRequest['objectives'], overrides: Partial<SearchRequest> = {}) =>
  referenceSearch({ objective: undefined, objectives, ...overrides });
const errorOf = (req: SearchRequest): ValidationError => {
  try { validateSpec(normalizeSpec(req, () => 1), limits); } catch (e) { if (e instanceof ValidationError) return e; throw e; }
  throw new Error('expected a ValidationError');
};

describe('spec.objectives', () => {
  it('makes the first objective the primary one, with default directions', () => {
    const spec = normalizeSpec(multi([{ name: 'val_loss' }, { name: 'params' }, { name: 'accuracy', direction: 'min' }]), () => 1);
    expect(spec.objective).toEqual({ metric: 'val_loss', direction: 'min' });
    expect(spec.objectives).toEqual([{ name: 'val_loss', direction: 'min' }, { name: 'params', direction: 'min' }, { name: 'accuracy', direction: 'min' }]);
    expect(() => validateSpec(spec, limits)).not.toThrow();
    // A single-objective search has no list.
    expect(normalizeSpec(referenceSearch(), () => 1).objectives).toBeUndefined();
  });

  it('takes latency_ms after a per-epoch metric, minimized by default, and only then measures latency', () => {
    const spec = normalizeSpec(multi([{ name: 'val_accuracy' }, { name: 'latency_ms' }]), () => 1);
    expect(spec.objectives).toEqual([{ name: 'val_accuracy', direction: 'max' }, { name: 'latency_ms', direction: 'min' }]);
    expect(() => validateSpec(spec, limits)).not.toThrow();
    expect(measuresLatency(spec)).toBe(true);
    const three = normalizeSpec(multi([{ name: 'val_loss' }, { name: 'params' }, { name: 'latency_ms', direction: 'max' }]), () => 1);
    expect(three.objectives?.[2]).toEqual({ name: 'latency_ms', direction: 'max' });
    expect(() => validateSpec(three, limits)).not.toThrow();
    expect(measuresLatency(normalizeSpec(multi([{ name: 'val_accuracy' }, { name: 'params' }]), () => 1))).toBe(false);
    expect(measuresLatency(normalizeSpec(referenceSearch(), () => 1))).toBe(false);
  });

  const bad: [string, SearchRequest, string, RegExp][] = [
    ['objective and objectives both', { ...multi([{ name: 'val_accuracy' }, { name: 'params' }]), objective: { metric: 'val_accuracy' } }, 'objectives', /not both/],
    ['one objective', multi([{ name: 'val_accuracy' }]), 'objectives', /2 to 3/],
    ['four objectives', multi([{ name: 'val_accuracy' }, { name: 'params' }, { name: 'loss' }, { name: 'accuracy' }]), 'objectives', /2 to 3/],
    ['an unknown name', multi([{ name: 'val_accuracy' }, { name: 'flops' as never }]), 'objectives[1].name', /one of val_accuracy, val_loss, accuracy, loss, params, latency_ms/],
    ['a repeated name', multi([{ name: 'val_accuracy' }, { name: 'val_accuracy', direction: 'min' }]), 'objectives[1].name', /repeats 'val_accuracy'/],
    ['params first', multi([{ name: 'params' }, { name: 'val_accuracy' }]), 'objectives[0].name', /per-epoch metric/],
    ['latency_ms first', multi([{ name: 'latency_ms' }, { name: 'val_accuracy' }]), 'objectives[0].name', /per-epoch metric/],
    ['a repeated latency_ms', multi([{ name: 'val_accuracy' }, { name: 'latency_ms' }, { name: 'latency_ms' }]), 'objectives[2].name', /repeats 'latency_ms'/],
    ['latency_ms as the single objective', referenceSearch({ objective: { metric: 'latency_ms' as never } }), 'objective.metric', /in objectives only, after a per-epoch metric/],
    ['params as the single objective', referenceSearch({ objective: { metric: 'params' as never } }), 'objective.metric', /in objectives only/],
    ['hyperband', multi([{ name: 'val_accuracy' }, { name: 'params' }], { algorithm: { name: 'hyperband' } }), 'algorithm.name', /promotes trials by one objective/],
    ['asha', multi([{ name: 'val_accuracy' }, { name: 'params' }], { algorithm: { name: 'asha' } }), 'algorithm.name', /random, grid or bayesian/],
    ['median stopping', multi([{ name: 'val_accuracy' }, { name: 'params' }], { earlyStopping: { name: 'median' } }), 'earlyStopping.name', /several objectives/],
  ];
  it.each(bad)('rejects %s, naming the field', (_what, req, field, reason) => {
    const e = errorOf(req);
    expect(e.field).toBe(field);
    expect(e.message).toMatch(reason);
  });

  it('accepts random, grid and bayesian', () => {
    for (const name of ['random', 'grid', 'bayesian'] as const)
      expect(() => validateSpec(normalizeSpec(multi([{ name: 'val_accuracy' }, { name: 'params' }], { algorithm: { name } }), () => 1), limits)).not.toThrow();
  });
});

const epoch = (n: number, valAccuracy: number, valLoss: number, execution = 0) => ({ epoch: n, loss: 1, accuracy: 0.5, valLoss, valAccuracy, durationMs: 10, execution });

describe("a trial's objective values", () => {
  const spec = normalizeSpec(multi([{ name: 'val_accuracy' }, { name: 'val_loss' }, { name: 'params' }]), () => 1);
  const params = describeArchitecture(resolveTemplate(spec.model, NOTEBOOK_BEST_HPS)).totalParams;

  it('reads every metric at the epoch where the primary was best, and the model’s parameter count', () => {
    expect(params).toBe(1_355_978);
    // Epoch 2 has the best val_accuracy though epoch 3 has the lowest val_loss.
    expect(trialObjectiveValues(spec, { hyperparameters: NOTEBOOK_BEST_HPS }, [epoch(1, 0.8, 0.6), epoch(2, 0.9, 0.4), epoch(3, 0.85, 0.3)])).toEqual([0.9, 0.4, params]);
  });

  it('averages executions per epoch first', () => {
    expect(trialObjectiveValues(spec, { hyperparameters: NOTEBOOK_BEST_HPS }, [epoch(1, 0.8, 0.6, 0), epoch(1, 0.6, 0.4, 1)])).toEqual([0.7, 0.5, params]);
  });

  it('is null without epochs or with a NaN value', () => {
    expect(trialObjectiveValues(spec, { hyperparameters: NOTEBOOK_BEST_HPS }, [])).toBeNull();
    expect(trialObjectiveValues(spec, { hyperparameters: NOTEBOOK_BEST_HPS }, [epoch(1, 0.8, NaN)])).toBeNull();
  });

  describe('with latency_ms', () => {
    const timed = normalizeSpec(multi([{ name: 'val_accuracy' }, { name: 'latency_ms' }, { name: 'params' }]), () => 1);
    const epochs = [epoch(1, 0.8, 0.6), epoch(2, 0.9, 0.4)];

    it("reads the trial's measured latency, in the objectives' order", () => {
      expect(trialObjectiveValues(timed, { hyperparameters: NOTEBOOK_BEST_HPS, latencyMs: 2.75 }, epochs)).toEqual([0.9, 2.75, params]);
    });

    it('is null for a trial without a latency (an older trial, a failed measurement), which the front then leaves out', () => {
      for (const latencyMs of [null, undefined, NaN]) expect(trialObjectiveValues(timed, { hyperparameters: NOTEBOOK_BEST_HPS, latencyMs }, epochs)).toBeNull();
      const objectives = timed.objectives!;
      // 'slow' and 'fast' are measured; 'unmeasured' has the best accuracy but no latency.
      const trials = [
        { id: 'slow', values: trialObjectiveValues(timed, { hyperparameters: NOTEBOOK_BEST_HPS, latencyMs: 9 }, epochs) },
        { id: 'fast', values: trialObjectiveValues(timed, { hyperparameters: NOTEBOOK_BEST_HPS, latencyMs: 3 }, [epoch(1, 0.85, 0.5)]) },
        { id: 'unmeasured', values: trialObjectiveValues(timed, { hyperparameters: NOTEBOOK_BEST_HPS, latencyMs: null }, [epoch(1, 0.99, 0.1)]) },
      ];
      expect(paretoFront(objectives, trials)).toEqual([
        { trialId: 'slow', values: { val_accuracy: 0.9, latency_ms: 9, params } },
        { trialId: 'fast', values: { val_accuracy: 0.85, latency_ms: 3, params } },
      ]);
    });
  });
});

describe('the Pareto front of trials', () => {
  it('keeps the non-dominated trials with their values by name, skipping trials without values', () => {
    const objectives = [{ name: 'val_accuracy', direction: 'max' }, { name: 'params', direction: 'min' }] as const;
    const trials = [
      { id: 'a', values: [0.9, 5000] }, { id: 'b', values: [0.8, 1000] }, { id: 'c', values: [0.8, 6000] },
      { id: 'd', values: null }, { id: 'e', values: [0.95, 9000] },
    ];
    const front = paretoFront([...objectives], trials);
    expect(front).toEqual([
      { trialId: 'a', values: { val_accuracy: 0.9, params: 5000 } },
      { trialId: 'b', values: { val_accuracy: 0.8, params: 1000 } },
      { trialId: 'e', values: { val_accuracy: 0.95, params: 9000 } },
    ]);
    for (const p of front) for (const q of front) expect(dominates(Object.values(q.values), Object.values(p.values), ['max', 'min'])).toBe(false);
  });
});
