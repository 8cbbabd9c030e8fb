import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { comboKey, type SearchSpace } from '../../../src/domain/hyperparameters.js';
import { Grid, gridAt, gridCount } from '../../../src/domain/hyperparameters/grid.js';
import { conditionalSpace, validCombos } from '../../fixtures/conditional-spaces.js';

describe('grid', () => {
  it('lists a discrete hyperparameter\'s values and spreads a continuous float on 10 points', () => {
    expect(gridCount({ name: 'c', type: 'choice', values: ['a', 'b'] })).toBe(2);
    const lin = { name: 'd', type: 'float' as const, min: 0, max: 0.9 };
    expect(Array.from({ length: gridCount(lin) }, (_, k) => gridAt(lin, k))).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    const log = { name: 'lr', type: 'float' as const, min: 1e-4, max: 1e-1, sampling: 'log' as const };
    expect([0, 3, 6, 9].map((k) => gridAt(log, k))).toEqual([1e-4, 1e-3, 1e-2, 1e-1]);
  });

  it('orders combinations mixed-radix, the last hyperparameter fastest', () => {
    const space: SearchSpace = [{ name: 'a', type: 'int', min: 1, max: 3 }, { name: 'b', type: 'boolean' }];
    const grid = new Grid(space);
    expect(grid.size).toBe(6);
    expect(Array.from({ length: grid.size }, (_, i) => grid.combo(i))).toEqual([
      { a: 1, b: false }, { a: 1, b: true }, { a: 2, b: false }, { a: 2, b: true }, { a: 3, b: false }, { a: 3, b: true },
    ]);
  });

  it('holds exactly the valid combinations of a conditional space, once each', () => {
    fc.assert(fc.property(conditionalSpace, (space) => {
      const grid = new Grid(space);
      const all = Array.from({ length: grid.size }, (_, i) => comboKey(grid.combo(i)));
      expect(all.sort()).toEqual(validCombos(space).map(comboKey).sort());
    }), { numRuns: 200 });
  });
});
