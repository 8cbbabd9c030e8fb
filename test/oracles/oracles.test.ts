import { describe, expect, it } from 'vitest';
import { comboKey, spaceCardinality, validateValues, type HpValues, type SearchSpace } from '../../src/domain/hyperparameters.js';
import type { PastTrial } from '../../src/domain/oracle.js';
import { GridOracle, gridSize } from '../../src/oracles/grid-oracle.js';
import { RandomOracle } from '../../src/oracles/random-oracle.js';
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
    const { values, exhausted } = oracle.suggest({ space, seed, history: past(history) }, 1);
    history.push(...values);
    if (exhausted) break;
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
    expect(after).toEqual({ values: [], exhausted: true });
  });

  it('gives distinct values within one batch', () => {
    const { values } = new RandomOracle().suggest({ space: small, seed: 3, history: [] }, 6);
    expect(new Set(values.map(comboKey)).size).toBe(6);
  });

  it('samples roughly uniformly', () => {
    const counts = new Map<unknown, number>();
    for (let seed = 0; seed < 2000; seed++) {
      const [v] = new RandomOracle().suggest({ space, seed, history: [] }, 1).values;
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
    const { values } = new GridOracle().suggest({ space: small, seed: 0, history: past([{ a: 1, b: false }]) }, 2);
    expect(values).toEqual([{ a: 1, b: true }, { a: 2, b: false }]);
  });

  it('grids a continuous float on 10 points', () => {
    expect(gridSize([{ name: 'lr', type: 'float', min: 1e-4, max: 1e-2, sampling: 'log' }])).toBe(10);
  });
});
