import { describe, expect, it } from 'vitest';
import { gridCells } from '../../../src/domain/importance/grid-cells.js';

describe('gridCells', () => {
  it('a continuous float: 50 cells, nearest grid point, ends clamped', () => {
    const c = gridCells({ name: 'x', type: 'float', min: 0, max: 49 })!;
    expect(c).toMatchObject({ kind: 'numeric', size: 50 });
    expect([0, 0.4, 0.6, 49, 60, -3].map(c.of)).toEqual([0, 0, 1, 49, 49, 0]);
    expect(c.of('a')).toBe(-1);
  });

  it('a small int range: one cell per value', () => {
    const c = gridCells({ name: 'k', type: 'int', min: 2, max: 6 })!;
    expect(c.size).toBe(5);
    expect([2, 3, 6].map(c.of)).toEqual([0, 1, 4]);
    expect(gridCells({ name: 's', type: 'float', min: 0, max: 1, step: 0.25 })!.size).toBe(5);
  });

  it('log sampling: cells even in log space; a log int by doublings', () => {
    const lr = gridCells({ name: 'lr', type: 'float', min: 1e-4, max: 1, sampling: 'log' })!;
    expect(lr.size).toBe(50);
    expect(lr.of(10 ** (-4 + (4 * 30) / 49))).toBe(30);
    expect(lr.of(10 ** (-4 + (4 * 30.3) / 49))).toBe(30);
    expect(lr.of(0)).toBe(-1);
    const units = gridCells({ name: 'u', type: 'int', min: 1, max: 1024, sampling: 'log' })!;
    expect(units.size).toBe(11); // ceil(log2(1024 - 1 + 1)) + 1
    expect(units.of(1)).toBe(0);
    expect(units.of(32)).toBe(5);
    expect(units.of(1024)).toBe(10);
  });

  it('choices and booleans are categories; single-valued hyperparameters have none', () => {
    const c = gridCells({ name: 'o', type: 'choice', values: ['adam', 'sgd', 3] })!;
    expect(c.kind).toBe('categorical');
    expect(['sgd', 3, 'x'].map(c.of)).toEqual([1, 2, -1]);
    expect([true, false, 'true'].map(gridCells({ name: 'b', type: 'boolean' })!.of)).toEqual([1, 0, -1]);
    expect(gridCells({ name: 'f', type: 'fixed', value: 1 })).toBeNull();
    expect(gridCells({ name: 'c', type: 'choice', values: ['only'] })).toBeNull();
    expect(gridCells({ name: 'i', type: 'int', min: 3, max: 3 })).toBeNull();
    expect(gridCells({ name: 'j', type: 'int', min: 0, max: 3, step: 5 })).toBeNull();
  });
});
