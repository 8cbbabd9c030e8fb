// PED-ANOVA on synthetic histories whose important hyperparameters are known: the objective depends
// strongly on one, weakly on another and not at all on a third (with noise), so the ranking and the
// shares can be checked; then categorical and log-scale hyperparameters, conditionals, edge cases.
import { describe, expect, it } from 'vitest';
import type { HpValues, SearchSpace } from '../../../src/domain/hyperparameters.js';
import { MIN_TRIALS, pedAnova, topTrials, type ScoredTrial } from '../../../src/domain/importance/ped-anova.js';
import { mulberry32 } from '../../../src/domain/rng.js';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const byName = (r: ReturnType<typeof pedAnova>) => Object.fromEntries(r.importances.map((i) => [i.name, i.importance]));

/** `n` trials with values drawn by `draw` and objective `f` plus Gaussian-ish noise of size `noise`. */
function history(n: number, seed: number, draw: (rand: () => number) => HpValues, f: (v: HpValues) => number, noise = 0.05): ScoredTrial[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const hyperparameters = draw(rand);
    return { hyperparameters, value: f(hyperparameters) + noise * (rand() + rand() + rand() - 1.5) };
  });
}

const unitSpace: SearchSpace = ['a', 'b', 'c'].map((name) => ({ name, type: 'float', min: 0, max: 1 }));
const drawUnit = (rand: () => number) => ({ a: rand(), b: rand(), c: rand() });

describe('pedAnova', () => {
  it('ranks a strong parameter over a weak one over an irrelevant one, shares summing to 1', () => {
    for (const seed of [1, 2, 3]) {
      const r = pedAnova(unitSpace, history(300, seed, drawUnit, (v) => 4 * Number(v.a) + Number(v.b)), 'min');
      expect(r.reason).toBeUndefined();
      expect(r.importances.map((i) => i.name), `seed ${seed}`).toEqual(['a', 'b', 'c']);
      expect(sum(r.importances.map((i) => i.importance))).toBeCloseTo(1, 12);
      const imp = byName(r);
      expect(imp.a).toBeGreaterThan(0.5);
      expect(imp.c).toBeLessThan(0.1);
      expect(r.importances.every((i) => i.trials === 300)).toBe(true);
    }
  });

  it("gives Optuna's importances on a mixed space (float, log float, log int, int, choice)", () => {
    // Expected: Optuna 5.0.0's own get_param_importances(study, evaluator=PedAnovaImportanceEvaluator())
    // on these very trials (added with create_trial and the same distributions), to 6 decimals.
    const space: SearchSpace = [
      { name: 'a', type: 'float', min: 0, max: 1 },
      { name: 'lr', type: 'float', min: 1e-5, max: 1e-1, sampling: 'log' },
      { name: 'units', type: 'int', min: 1, max: 256, sampling: 'log' },
      { name: 'k', type: 'int', min: 2, max: 9 },
      { name: 'opt', type: 'choice', values: ['adam', 'sgd', 'rmsprop'] },
    ];
    const rand = mulberry32(99);
    const trials = Array.from({ length: 57 }, () => {
      const hp = { a: rand(), lr: 10 ** (-5 + 4 * rand()), units: Math.round(2 ** (8 * rand())), k: 2 + Math.floor(rand() * 8), opt: ['adam', 'sgd', 'rmsprop'][Math.floor(rand() * 3)] };
      return { hyperparameters: hp, value: hp.a + 0.3 * Math.abs(Math.log10(hp.lr) + 3) + (hp.opt === 'sgd' ? 0.4 : 0) + 0.05 * hp.k + 0.2 * rand() };
    });
    const r = pedAnova(space, trials, 'min');
    expect(r.importances.map((i) => i.name)).toEqual(['a', 'units', 'lr', 'opt', 'k']);
    const optuna = [0.641717, 0.117053, 0.092477, 0.089887, 0.058865];
    r.importances.forEach((i, n) => expect(Math.abs(i.importance - optuna[n])).toBeLessThan(1e-5));
  });

  it('follows the direction: maximizing the same objective looks at the other end', () => {
    // Larger is better; only values of a near 1 do well, and b never matters.
    const trials = history(200, 5, drawUnit, (v) => (Number(v.a) > 0.8 ? 1 : 0), 0.01);
    expect(byName(pedAnova(unitSpace, trials, 'max')).a).toBeGreaterThan(0.8);
    const top = topTrials(trials, 'max');
    expect(top.length).toBe(20);
    expect(top.every((t) => Number(t.hyperparameters.a) > 0.8)).toBe(true);
  });

  it('treats a choice as categories: one winning value of an unordered choice is found', () => {
    const space: SearchSpace = [
      { name: 'optimizer', type: 'choice', values: ['adam', 'sgd', 'rmsprop', 'adagrad'] },
      { name: 'units', type: 'choice', values: [16, 32, 64, 128] },
      { name: 'bn', type: 'boolean' },
    ];
    for (const seed of [7, 8, 9]) {
      const trials = history(200, seed, (rand) => ({
        optimizer: ['adam', 'sgd', 'rmsprop', 'adagrad'][Math.floor(rand() * 4)], units: [16, 32, 64, 128][Math.floor(rand() * 4)], bn: rand() < 0.5,
      }), (v) => (v.optimizer === 'rmsprop' ? 1 : 0) + (v.bn ? 0.1 : 0), 0.1);
      const r = pedAnova(space, trials, 'max');
      expect(r.importances.map((i) => i.name), `seed ${seed}`).toEqual(['optimizer', 'bn', 'units']);
      expect(sum(r.importances.map((i) => i.importance))).toBeCloseTo(1, 12);
    }
  });

  it('grids a log-sampled hyperparameter in log space', () => {
    // Learning rate log-uniform over 1e-5..1e-1; only the lowest decade, 1e-5..1e-4, does well. On a
    // linear grid of 50 cells it all falls in the first cell with most other values: little to tell.
    const lr = { name: 'lr', type: 'float', min: 1e-5, max: 1e-1, sampling: 'log' } as const;
    const dropout = { name: 'dropout', type: 'float', min: 0, max: 0.5 } as const;
    const space: SearchSpace = [lr, dropout];
    const draw = (rand: () => number) => ({ lr: 10 ** (-5 + 4 * rand()), dropout: 0.5 * rand() });
    const trials = history(200, 11, draw, (v) => (Number(v.lr) < 1e-4 ? 0.2 : 1), 0.02);
    const logImportance = byName(pedAnova(space, trials, 'min')).lr;
    const linear = byName(pedAnova([{ ...lr, sampling: 'linear' }, dropout], trials, 'min')).lr;
    expect(logImportance).toBeGreaterThan(0.9);
    expect(logImportance).toBeGreaterThan(linear);
  });

  it('grids a log int by doublings', () => {
    const space: SearchSpace = [{ name: 'units', type: 'int', min: 1, max: 1024, sampling: 'log' }, { name: 'x', type: 'float', min: 0, max: 1 }];
    const trials = history(200, 13, (rand) => ({ units: Math.round(2 ** (10 * rand())), x: rand() }), (v) => Math.log2(Number(v.units)), 0.1);
    expect(byName(pedAnova(space, trials, 'max')).units).toBeGreaterThan(0.8);
  });

  it('gives 0 to a fixed hyperparameter and to one every trial took the same value of', () => {
    const space: SearchSpace = [
      ...unitSpace,
      { name: 'epochs', type: 'fixed', value: 3 },
      { name: 'same', type: 'choice', values: ['x', 'y'] },
      { name: 'single', type: 'int', min: 4, max: 4 },
    ];
    const trials = history(100, 17, (rand) => ({ ...drawUnit(rand), epochs: 3, same: 'x', single: 4 }), (v) => Number(v.a));
    const r = pedAnova(space, trials, 'min');
    const imp = byName(r);
    expect(imp.epochs).toBe(0);
    expect(imp.single).toBe(0);
    expect(imp.same).toBe(0);
    expect(sum(r.importances.map((i) => i.importance))).toBeCloseTo(1, 12);
    expect(r.importances.map((i) => i.importance)).toEqual([...r.importances.map((i) => i.importance)].sort((x, y) => y - x));
  });

  it('scores a conditional hyperparameter over the trials where it is active', () => {
    const space: SearchSpace = [
      { name: 'model', type: 'choice', values: ['small', 'big'] },
      { name: 'dropout', type: 'float', min: 0, max: 0.5, when: { hp: 'model', in: ['big'] } },
    ];
    const trials = history(200, 19, (rand): HpValues => (rand() < 0.5 ? { model: 'small' } : { model: 'big', dropout: 0.5 * rand() }),
      (v) => (v.model === 'small' ? 0.5 : Number(v.dropout) * 2), 0.01);
    const r = pedAnova(space, trials, 'min');
    const dropout = r.importances.find((i) => i.name === 'dropout')!;
    expect(dropout.trials).toBeLessThan(200);
    expect(dropout.trials).toBe(trials.filter((t) => 'dropout' in t.hyperparameters).length);
    expect(dropout.importance).toBeGreaterThan(0);
    expect(sum(r.importances.map((i) => i.importance))).toBeCloseTo(1, 12);
  });

  it('answers no importances, with the reason, for too few trials or nothing that varies', () => {
    const two = history(MIN_TRIALS - 1, 23, drawUnit, (v) => Number(v.a));
    const few = pedAnova(unitSpace, two, 'min');
    expect(few.importances).toEqual([]);
    expect(few.reason).toMatch(/at least 3 completed trials .* has 2/);
    expect(pedAnova(unitSpace, [], 'min').importances).toEqual([]);
    const fixed = pedAnova([{ name: 'k', type: 'fixed', value: 1 }], history(10, 29, () => ({ k: 1 }), () => 0), 'min');
    expect(fixed).toEqual({ importances: [], reason: 'no hyperparameter takes more than one value' });
  });

  it('shares equally, saying why, when every trial ties (all are top trials)', () => {
    const trials = history(20, 31, drawUnit, () => 1, 0);
    const r = pedAnova(unitSpace, trials, 'min');
    expect(r.importances.map((i) => i.importance)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(r.reason).toMatch(/equal/);
  });
});
