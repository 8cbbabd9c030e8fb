import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EarlyStopping } from '../../src/domain/algorithms.js';
import { median, shouldPrune, type EpochValue } from '../../src/domain/early-stopping.js';

const rule: EarlyStopping = { name: 'median', startEpoch: 1, minTrials: 3 };
const series = (...values: number[]): EpochValue[] => values.map((value, i) => ({ epoch: i + 1, value }));
// Three completed trials; at epoch 2 their values are 0.6, 0.7, 0.8 (median 0.7).
const others = [series(0.5, 0.6, 0.7), series(0.55, 0.7, 0.75), series(0.6, 0.8, 0.85)];

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });
});

describe('shouldPrune (median rule)', () => {
  it('prunes a trial whose best value so far is worse than the median of the others at this epoch', () => {
    const d = shouldPrune({ rule, direction: 'max', epoch: 2, current: series(0.4, 0.65), others });
    expect(d.prune).toBe(true);
    expect(d.reason).toMatch(/0\.65.*median 0\.7.*3 completed trials/);
  });

  it('keeps a trial at or above the median', () => {
    expect(shouldPrune({ rule, direction: 'max', epoch: 2, current: series(0.4, 0.7), others })).toEqual({ prune: false, reason: null });
    expect(shouldPrune({ rule, direction: 'max', epoch: 2, current: series(0.4, 0.75), others }).prune).toBe(false);
  });

  it('judges the best value so far, not the last one (Optuna)', () => {
    // Epoch 2 alone (0.5) is below the median, but epoch 1 reached 0.72.
    expect(shouldPrune({ rule, direction: 'max', epoch: 2, current: series(0.72, 0.5), others }).prune).toBe(false);
  });

  it('minimizes a loss: larger is worse', () => {
    const losses = [series(0.9, 0.5), series(0.8, 0.4), series(0.7, 0.3)];
    expect(shouldPrune({ rule, direction: 'min', epoch: 2, current: series(0.9, 0.45), others: losses }).prune).toBe(true);
    expect(shouldPrune({ rule, direction: 'min', epoch: 2, current: series(0.9, 0.35), others: losses }).prune).toBe(false);
  });

  it('never prunes before startEpoch', () => {
    const late = { ...rule, startEpoch: 3 };
    expect(shouldPrune({ rule: late, direction: 'max', epoch: 2, current: series(0.1, 0.1), others }).prune).toBe(false);
    expect(shouldPrune({ rule: late, direction: 'max', epoch: 3, current: series(0.1, 0.1, 0.1), others }).prune).toBe(true);
  });

  it('needs minTrials others with a value at this very epoch', () => {
    const short = [series(0.9, 0.9), series(0.9, 0.9), series(0.9, 0.9, 0.9)];
    // Only one other reached epoch 3.
    expect(shouldPrune({ rule, direction: 'max', epoch: 3, current: series(0.1, 0.1, 0.1), others: short }).prune).toBe(false);
    expect(shouldPrune({ rule: { ...rule, minTrials: 1 }, direction: 'max', epoch: 3, current: series(0.1, 0.1, 0.1), others: short }).prune).toBe(true);
    expect(shouldPrune({ rule, direction: 'max', epoch: 2, current: series(0.1, 0.1), others: others.slice(0, 2) }).prune).toBe(false);
    // NaN values do not count as values (numpy's nanpercentile).
    const withNaN = [...others.slice(0, 2), series(0.6, Number.NaN)];
    expect(shouldPrune({ rule, direction: 'max', epoch: 2, current: series(0.1, 0.1), others: withNaN }).prune).toBe(false);
  });

  it('compares at absolute epoch numbers: a promoted trial that starts at epoch 4 meets the others there', () => {
    const long = [0.2, 0.4, 0.6].map((v) => [...series(0, 0, 0), { epoch: 4, value: v }]);
    expect(shouldPrune({ rule, direction: 'max', epoch: 4, current: [{ epoch: 4, value: 0.3 }], others: long }).prune).toBe(true);
    expect(shouldPrune({ rule, direction: 'max', epoch: 4, current: [{ epoch: 4, value: 0.5 }], others: long }).prune).toBe(false);
  });

  it('prunes a trial with no numeric value once the rule applies', () => {
    expect(shouldPrune({ rule, direction: 'max', epoch: 2, current: series(Number.NaN, Number.NaN), others })).toMatchObject({ prune: true });
    expect(shouldPrune({ rule, direction: 'max', epoch: 2, current: [], others }).prune).toBe(false);
  });

  it("'none' never prunes", () => {
    fc.assert(fc.property(
      fc.array(fc.double({ noNaN: true, min: -10, max: 10 }), { minLength: 1, maxLength: 8 }),
      fc.array(fc.array(fc.double({ noNaN: true, min: -10, max: 10 }), { minLength: 1, maxLength: 8 }), { maxLength: 8 }),
      fc.constantFrom('max' as const, 'min' as const),
      (current, rest, direction) => {
        const input = { direction, epoch: current.length, current: series(...current), others: rest.map((v) => series(...v)) };
        expect(shouldPrune({ ...input, rule: { name: 'none', startEpoch: 1, minTrials: 1 } })).toEqual({ prune: false, reason: null });
      },
    ));
  });

  it('agrees with a direct reading of the rule on random histories', () => {
    fc.assert(fc.property(
      fc.array(fc.double({ noNaN: true, min: 0, max: 1 }), { minLength: 1, maxLength: 6 }),
      fc.array(fc.array(fc.double({ noNaN: true, min: 0, max: 1 }), { minLength: 1, maxLength: 6 }), { maxLength: 7 }),
      fc.constantFrom('max' as const, 'min' as const), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }),
      (current, rest, direction, startEpoch, minTrials) => {
        const epoch = current.length;
        const at = rest.filter((v) => v.length >= epoch).map((v) => v[epoch - 1]).sort((a, b) => a - b);
        const best = direction === 'max' ? Math.max(...current) : Math.min(...current);
        const m = at.length ? (at[(at.length - 1) >> 1] + at[at.length >> 1]) / 2 : NaN;
        const expected = epoch >= startEpoch && at.length >= minTrials && (direction === 'max' ? best < m : best > m);
        const d = shouldPrune({ rule: { name: 'median', startEpoch, minTrials }, direction, epoch, current: series(...current), others: rest.map((v) => series(...v)) });
        expect(d.prune).toBe(expected);
        expect(d.reason === null).toBe(!expected);
      },
    ), { numRuns: 500 });
  });
});
