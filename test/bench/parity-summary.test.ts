import { describe, expect, it } from 'vitest';
import { parityByEpoch } from '../../bench/parity-summary.js';

describe('parityByEpoch', () => {
  it('gives each epoch the means, their difference in points and its standard error', () => {
    const service = [[0.88, 0.90], [0.90, 0.92]];
    const pytorch = [[0.87, 0.905], [0.87, 0.915]];
    const [first, second] = parityByEpoch(service, pytorch);
    expect(first.service).toBeCloseTo(0.89, 12);
    expect(first.pytorch).toBeCloseTo(0.87, 12);
    expect(first.diffPoints).toBeCloseTo(2, 9);
    // Welch: sqrt(var(a)/2 + var(b)/2) = sqrt(0.0002/2 + 0) = 0.01 → 1 point.
    expect(first.sePoints).toBeCloseTo(1, 9);
    expect(first.within).toBe(false);
    expect(second.diffPoints).toBeCloseTo(0, 9);
    expect(second.within).toBe(true);
    expect(second.n).toBe(2);
  });

  it('counts a difference of exactly the tolerance as within it', () => {
    const [e] = parityByEpoch([[0.903]], [[0.9]], 0.3);
    expect(e.diffPoints).toBeCloseTo(0.3, 9);
    expect(e.within).toBe(true);
    expect(Number.isNaN(e.sePoints)).toBe(true);
  });

  it('refuses runs of different lengths and empty sides', () => {
    expect(() => parityByEpoch([[0.9, 0.91]], [[0.9]])).toThrow(/same number of epochs/);
    expect(() => parityByEpoch([], [[0.9]])).toThrow(/at least one run/);
  });
});
