import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { comboKey, validateValues, type HpValues, type SearchSpace } from '../../src/domain/hyperparameters.js';
import type { Oracle, PastTrial } from '../../src/domain/oracle.js';
import { hypervolume2d } from '../../src/domain/pareto.js';
import { RandomOracle } from '../../src/oracles/random-oracle.js';
import { TpeOracle } from '../../src/oracles/tpe-oracle.js';
import { conditionalSpace, DEPTH_SPACE, validCombos } from '../fixtures/conditional-spaces.js';

const space: SearchSpace = [
  { name: 'x', type: 'float', min: 0, max: 1 },
  { name: 'lr', type: 'float', min: 1e-4, max: 1e-1, sampling: 'log' },
  { name: 'units', type: 'int', min: 16, max: 256, step: 16 },
  { name: 'act', type: 'choice', values: ['relu', 'tanh', 'elu', 'selu'] },
  { name: 'bn', type: 'boolean' },
];

/** A smooth synthetic objective with its optimum inside the space (max 1.3). */
const objective = (v: HpValues) =>
  1 - ((v.x as number) - 0.8) ** 2 - (Math.log10(v.lr as number) + 2.5) ** 2 / 4 - (((v.units as number) - 96) / 240) ** 2
  + (v.act === 'elu' ? 0.2 : 0) + (v.bn ? 0.1 : 0);

function run(oracle: Oracle, seed: number, trials: number, batch = 1): PastTrial[] {
  const history: PastTrial[] = [];
  while (history.length < trials) {
    const values = oracle.suggest({ space, seed, history, direction: 'max', initialRandomTrials: 8 }, batch);
    for (const v of values) history.push({ hyperparameters: v, status: 'completed', value: objective(v) });
  }
  return history;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const bestOf = (h: PastTrial[]) => Math.max(...h.map((t) => t.value!));

describe('TPE (bayesian) oracle', () => {
  it('starts with the random search of the same seed', () => {
    expect(run(new TpeOracle(), 5, 8).map((t) => t.hyperparameters)).toEqual(run(new RandomOracle(), 5, 8).map((t) => t.hyperparameters));
  });

  it('proposes valid, never-repeated values, distinct within a parallel batch', () => {
    const history = run(new TpeOracle(), 3, 40, 4);
    for (const t of history) validateValues(space, t.hyperparameters);
    expect(new Set(history.map((t) => comboKey(t.hyperparameters))).size).toBe(history.length);
  });

  it('finds better values than random search with the same budget (median of 9 seeds)', () => {
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const tpe = seeds.map((s) => bestOf(run(new TpeOracle(), s, 40)));
    const random = seeds.map((s) => bestOf(run(new RandomOracle(), s, 40)));
    expect(median(tpe)).toBeGreaterThan(median(random));
    // And it concentrates where the objective is good: its last 10 proposals beat random's on average.
    const tail = (o: Oracle) => seeds.map((s) => run(o, s, 40).slice(-10).reduce((a, t) => a + t.value!, 0) / 10);
    expect(median(tail(new TpeOracle()))).toBeGreaterThan(median(tail(new RandomOracle())) + 0.1);
  });

  it('treats running trials as bad so parallel workers get different proposals', () => {
    const history = run(new TpeOracle(), 11, 12);
    const values = new TpeOracle().suggest({ space, seed: 11, history, direction: 'max', initialRandomTrials: 8 }, 3);
    expect(new Set(values.map(comboKey)).size).toBe(3);
  });

  it('stops when a finite space is exhausted', () => {
    const small: SearchSpace = [{ name: 'a', type: 'int', min: 1, max: 3 }, { name: 'b', type: 'boolean' }];
    const history: PastTrial[] = [];
    for (let i = 0; i < 10; i++) {
      const values = new TpeOracle().suggest({ space: small, seed: 1, history, direction: 'min', initialRandomTrials: 2 }, 1);
      for (const v of values) history.push({ hyperparameters: v, status: 'completed', value: (v.a as number) + (v.b ? 1 : 0) });
      if (values.length === 0) break;
    }
    expect(history).toHaveLength(6);
    expect(new Set(history.map((t) => comboKey(t.hyperparameters))).size).toBe(6);
  });
});

describe('TPE over conditional spaces', () => {
  /** Best with three conv layers and a wide third one; dropout helps a little when on (near 0.2). */
  const deep = (v: HpValues) =>
    (v.num_conv_layers as number) * 0.2 + (v.conv_3_filter === 32 ? 0.3 : 0) - (v.use_dropout ? ((v.dropout_rate as number) - 0.2) ** 2 : 0.05)
    - (Math.log10(v.learning_rate as number) + 3) ** 2 / 10;

  function runOn(space: SearchSpace, oracle: Oracle, seed: number, trials: number, objective: (v: HpValues) => number, batch = 1): PastTrial[] {
    const history: PastTrial[] = [];
    for (let guard = 0; history.length < trials && guard < trials * 2; guard++) {
      const values = oracle.suggest({ space, seed, history, direction: 'max', initialRandomTrials: 5 }, batch);
      for (const v of values) history.push({ hyperparameters: v, status: 'completed', value: objective(v) });
      if (values.length === 0) break;
    }
    return history;
  }

  it('proposes only valid values (inactive ones absent), never twice, on random conditional spaces', () => {
    fc.assert(fc.property(conditionalSpace, fc.integer({ min: 0, max: 1000 }), (space, seed) => {
      const size = validCombos(space).length;
      const objective = (v: HpValues) => comboKey(v).length % 7;
      const history = runOn(space, new TpeOracle(), seed, size + 3, objective, 2);
      for (const t of history) validateValues(space, t.hyperparameters);
      expect(new Set(history.map((t) => comboKey(t.hyperparameters))).size).toBe(history.length);
      expect(history.length).toBe(size); // it stops when the space is exhausted
    }), { numRuns: 100 });
  });

  it('models each hyperparameter from the trials where it is active, and finds the deep branch', () => {
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const history = runOn(DEPTH_SPACE, new TpeOracle(), 3, 30, deep);
    for (const t of history) validateValues(DEPTH_SPACE, t.hyperparameters);
    expect(runOn(DEPTH_SPACE, new TpeOracle(), 3, 30, deep)).toEqual(history); // seeded
    // Its last 15 proposals use three layers far more often than random search's third.
    const deepShare = (o: Oracle) => median(seeds.map((s) => runOn(DEPTH_SPACE, o, s, 30, deep).slice(-15).filter((t) => t.hyperparameters.num_conv_layers === 3).length / 15));
    expect(deepShare(new TpeOracle())).toBeGreaterThan(deepShare(new RandomOracle()) + 0.2);
    expect(median(seeds.map((s) => bestOf(runOn(DEPTH_SPACE, new TpeOracle(), s, 30, deep)))))
      .toBeGreaterThan(median(seeds.map((s) => bestOf(runOn(DEPTH_SPACE, new RandomOracle(), s, 30, deep)))));
  });
});

/**
 * Two conflicting objectives over the same space: an accuracy-like score (max) that wants x near 0.8,
 * a good learning rate and many units, and a cost (min) that wants x and units small.
 */
const twoObjectives = (v: HpValues): number[] => {
  const x = v.x as number;
  const units = (v.units as number) / 256;
  const score = 1 - (x - 0.8) ** 2 - (Math.log10(v.lr as number) + 2.5) ** 2 / 4 + 0.3 * units + (v.act === 'elu' ? 0.2 : 0);
  return [score, x ** 2 + units + (v.bn ? 0.3 : 0)];
};

function runMulti(oracle: Oracle, seed: number, trials: number): PastTrial[] {
  const history: PastTrial[] = [];
  while (history.length < trials) {
    const [v] = oracle.suggest({ space, seed, history, direction: 'max', directions: ['max', 'min'], initialRandomTrials: 8 }, 1);
    const values = twoObjectives(v);
    history.push({ hyperparameters: v, status: 'completed', value: values[0], values });
  }
  return history;
}

// The reference point bounds the region where the trade-off is (score 0.5 to 1.5, cost 0 to 1.5).
const hypervolume = (h: PastTrial[]) => hypervolume2d(h.map((t) => t.values!), ['max', 'min'], [0.5, 1.5]);

describe('TPE with several objectives (MOTPE)', () => {
  it('finds a front with a larger hypervolume than random search with the same budget (median of 9 seeds)', () => {
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const tpe = seeds.map((s) => hypervolume(runMulti(new TpeOracle(), s, 40)));
    const random = seeds.map((s) => hypervolume(runMulti(new RandomOracle(), s, 40)));
    expect(median(tpe)).toBeGreaterThan(median(random));
  });

  it('models from the trials it is given values for: without values it stays random', () => {
    // A completed trial without values is no result: the startup phase never ends.
    const history: PastTrial[] = run(new RandomOracle(), 4, 12).map((t) => ({ ...t, values: null }));
    const input = { space, seed: 4, history, direction: 'max' as const, directions: ['max', 'min'] as ('max' | 'min')[], initialRandomTrials: 8 };
    expect(new TpeOracle().suggest(input, 2)).toEqual(new RandomOracle().suggest(input, 2));
  });
});
