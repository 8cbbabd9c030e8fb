import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { comboKey, Grid, spaceCardinality, validateSpace, validateValues, type HpValues, type SearchSpace } from '../../src/domain/hyperparameters.js';
import type { PastTrial } from '../../src/domain/oracle.js';
import { GridOracle } from '../../src/oracles/grid-oracle.js';
import { RandomOracle } from '../../src/oracles/random-oracle.js';
import { conditionalSpace, DEPTH_SPACE, validCombos } from '../fixtures/conditional-spaces.js';
import { referenceSearch } from '../fixtures/reference-search.js';

const past = (values: HpValues[]): PastTrial[] => values.map((hyperparameters) => ({ hyperparameters, status: 'completed', value: 0.5 }));
const small: SearchSpace = [
  { name: 'a', type: 'int', min: 1, max: 3 },
  { name: 'b', type: 'boolean' },
];

/** Runs an oracle the way the scheduler does: one suggestion at a time over a growing history. */
function drive(oracle: RandomOracle | GridOracle, space: SearchSpace, seed: number, n: number) {
  const history: HpValues[] = [];
  for (let i = 0; i < n; i++) {
    const values = oracle.suggest({ space, seed, history: past(history) }, 1);
    if (values.length === 0) break;
    history.push(...values);
  }
  return history;
}

describe('random oracle', () => {
  const space = referenceSearch().hyperparameters;

  it('is reproducible from the seed and the history alone', () => {
    expect(drive(new RandomOracle(), space, 42, 10)).toEqual(drive(new RandomOracle(), space, 42, 10));
    expect(drive(new RandomOracle(), space, 42, 10)).not.toEqual(drive(new RandomOracle(), space, 43, 10));
  });

  it('proposes only values of the space', () => {
    for (const v of drive(new RandomOracle(), space, 7, 50)) validateValues(space, v);
  });

  it('never repeats until the space is exhausted, then stops', () => {
    const all = drive(new RandomOracle(), small, 1, 100);
    expect(all).toHaveLength(spaceCardinality(small));
    expect(new Set(all.map(comboKey)).size).toBe(6);
    const after = new RandomOracle().suggest({ space: small, seed: 1, history: past(all) }, 1);
    expect(after).toEqual([]);
  });

  it('gives distinct values within one batch', () => {
    const values = new RandomOracle().suggest({ space: small, seed: 3, history: [] }, 6);
    expect(new Set(values.map(comboKey)).size).toBe(6);
  });

  it('samples roughly uniformly', () => {
    const counts = new Map<unknown, number>();
    for (let seed = 0; seed < 2000; seed++) {
      const [v] = new RandomOracle().suggest({ space, seed, history: [] }, 1);
      counts.set(v.conv_1_filter, (counts.get(v.conv_1_filter) ?? 0) + 1);
    }
    expect(counts.size).toBe(7);
    for (const c of counts.values()) expect(c).toBeGreaterThan(2000 / 7 * 0.75);
  });
});

describe('grid oracle', () => {
  it('walks the whole grid once, in order, then reports exhaustion', () => {
    const all = drive(new GridOracle(), small, 0, 100);
    expect(all).toEqual([
      { a: 1, b: false }, { a: 1, b: true }, { a: 2, b: false }, { a: 2, b: true }, { a: 3, b: false }, { a: 3, b: true },
    ]);
  });

  it('skips combinations already tried (resume after a restart)', () => {
    const values = new GridOracle().suggest({ space: small, seed: 0, history: past([{ a: 1, b: false }]) }, 2);
    expect(values).toEqual([{ a: 1, b: true }, { a: 2, b: false }]);
  });

  it('grids a continuous float on 10 points', () => {
    expect(new Grid([{ name: 'lr', type: 'float', min: 1e-4, max: 1e-2, sampling: 'log' }]).size).toBe(10);
  });
});

describe('oracles over conditional spaces', () => {
  const byKey = (vs: HpValues[]) => vs.map(comboKey).sort();

  it('count exactly the valid combinations', () => {
    fc.assert(fc.property(conditionalSpace, (space) => {
      validateSpace(space);
      expect(spaceCardinality(space)).toBe(validCombos(space).length);
      expect(new Grid(space).size).toBe(validCombos(space).length);
    }), { numRuns: 300 });
  });

  it('grid enumerates exactly the valid combinations, once each, then reports exhaustion', () => {
    fc.assert(fc.property(conditionalSpace, (space) => {
      const all = drive(new GridOracle(), space, 0, 1000);
      for (const v of all) validateValues(space, v);
      expect(byKey(all)).toEqual(byKey(validCombos(space)));
      expect(new GridOracle().suggest({ space, seed: 0, history: past(all) }, 1)).toEqual([]);
    }), { numRuns: 200 });
  });

  it('grid keeps the unconditional order and puts a parent value\'s children in its block', () => {
    const space: SearchSpace = [
      { name: 'n', type: 'int', min: 1, max: 3 },
      { name: 'w', type: 'boolean', when: { hp: 'n', in: [2] } },
      { name: 'b', type: 'choice', values: ['x', 'y'] },
    ];
    expect(drive(new GridOracle(), space, 0, 100)).toEqual([
      { n: 1, b: 'x' }, { n: 1, b: 'y' },
      { n: 2, w: false, b: 'x' }, { n: 2, w: false, b: 'y' }, { n: 2, w: true, b: 'x' }, { n: 2, w: true, b: 'y' },
      { n: 3, b: 'x' }, { n: 3, b: 'y' },
    ]);
  });

  it('random: seeded, valid, never repeating, and exhausting exactly the valid combinations', () => {
    fc.assert(fc.property(conditionalSpace, fc.integer({ min: 0, max: 2 ** 31 }), (space, seed) => {
      const all = drive(new RandomOracle(), space, seed, 1000);
      expect(drive(new RandomOracle(), space, seed, 1000)).toEqual(all);
      for (const v of all) validateValues(space, v);
      expect(byKey(all)).toEqual(byKey(validCombos(space)));
    }), { numRuns: 200 });
  });

  it('random samples only active hyperparameters, continuous ones included', () => {
    const values = drive(new RandomOracle(), DEPTH_SPACE, 5, 200);
    expect(new Set(values.map(comboKey)).size).toBe(200);
    for (const v of values) validateValues(DEPTH_SPACE, v);
    const layers = new Set(values.map((v) => Object.keys(v).filter((k) => k.startsWith('conv_')).length));
    expect(layers).toEqual(new Set([1, 2, 3]));
    expect(values.some((v) => 'dropout_rate' in v) && values.some((v) => !('dropout_rate' in v))).toBe(true);
  });

  it('grids a conditional continuous float on its 10 points where it is active', () => {
    const space = DEPTH_SPACE.filter((hp) => hp.name !== 'learning_rate');
    // convs: 2 + 2*2 + 2*2*2 = 14; dropout: off, or on at 10 points.
    expect(new Grid(space).size).toBe(14 * 11);
    const all = drive(new GridOracle(), space, 0, 1000);
    expect(all).toHaveLength(14 * 11);
    for (const v of all) validateValues(space, v);
  });
});
