import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crowdingDistances, dominates, hypervolume2d, nonDominatedRanks, paretoFrontIndices, selectByRank, type Direction } from '../../src/domain/pareto.js';

describe('Pareto dominance', () => {
  it('respects each objective’s direction', () => {
    expect(dominates([0.9, 100], [0.8, 200], ['max', 'min'])).toBe(true);
    expect(dominates([0.9, 100], [0.8, 200], ['min', 'min'])).toBe(false);
    expect(dominates([0.9, 100], [0.8, 200], ['max', 'max'])).toBe(false);
    expect(dominates([0.8, 200], [0.9, 100], ['min', 'max'])).toBe(true);
  });

  it('needs one strictly better objective: equal points do not dominate each other', () => {
    expect(dominates([1, 2], [1, 2], ['max', 'max'])).toBe(false);
    expect(dominates([1, 3], [1, 2], ['max', 'max'])).toBe(true);
  });
});

describe('non-dominated sort', () => {
  it('ranks fronts for accuracy (max) against parameters (min)', () => {
    const points = [[0.9, 1000], [0.8, 100], [0.85, 500], [0.8, 1000], [0.7, 2000], [0.9, 1000]];
    // [0.8, 1000] is beaten by [0.9, 1000] and by [0.8, 100]; the last point equals the first (a tie: same front).
    expect(nonDominatedRanks(points, ['max', 'min'])).toEqual([0, 0, 0, 1, 2, 0]);
    expect(paretoFrontIndices(points, ['max', 'min'])).toEqual([0, 1, 2, 5]);
    // Flipping a direction changes the fronts: the least accurate point joins the front.
    expect(paretoFrontIndices(points, ['min', 'min'])).toEqual([1, 4]);
  });

  it('handles three objectives', () => {
    const points = [[1, 1, 1], [2, 0, 1], [0, 0, 0], [1, 1, 0], [2, 1, 1]];
    // all max: [2,1,1] beats [1,1,1] and [2,0,1]; [1,1,1] beats [1,1,0], which beats [0,0,0].
    expect(nonDominatedRanks(points, ['max', 'max', 'max'])).toEqual([1, 1, 3, 2, 0]);
    // max, max, min: [1,1,0] beats [1,1,1] and [0,0,0] (equal third); [2,1,1] stays undominated.
    expect(paretoFrontIndices(points, ['max', 'max', 'min'])).toEqual([3, 4]);
  });

  it('property: no front point is dominated, every other point is dominated by a lower rank', () => {
    const directions = fc.array(fc.constantFrom<Direction>('max', 'min'), { minLength: 2, maxLength: 3 });
    fc.assert(fc.property(directions.chain((dirs) => fc.tuple(fc.constant(dirs),
      fc.array(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: dirs.length, maxLength: dirs.length }), { minLength: 1, maxLength: 30 }))), ([dirs, pts]) => {
      const ranks = nonDominatedRanks(pts, dirs);
      pts.forEach((p, i) => {
        // Nothing of the same or a higher rank dominates it; something one rank lower does.
        for (let j = 0; j < pts.length; j++) if (ranks[j] >= ranks[i]) expect(dominates(pts[j], p, dirs)).toBe(false);
        if (ranks[i] > 0) expect(pts.some((q, j) => ranks[j] === ranks[i] - 1 && dominates(q, p, dirs))).toBe(true);
      });
    }));
  });

  it('property: the front found against the front so far is the full sort\'s rank 0', () => {
    const directions = fc.array(fc.constantFrom<Direction>('max', 'min'), { minLength: 2, maxLength: 3 });
    fc.assert(fc.property(directions.chain((dirs) => fc.tuple(fc.constant(dirs),
      fc.array(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: dirs.length, maxLength: dirs.length }), { maxLength: 40 }))), ([dirs, pts]) => {
      const rankZero = nonDominatedRanks(pts, dirs).flatMap((r, i) => (r === 0 ? [i] : []));
      expect(paretoFrontIndices(pts, dirs)).toEqual(rankZero);
    }), { numRuns: 300 });
  });
});

describe('selection by rank and crowding distance', () => {
  it('keeps whole fronts, then the ends of the front that fits only partly', () => {
    const points = [[0, 4], [1, 3], [2, 2], [3, 1], [4, 0], [0, 0]];
    const dist = crowdingDistances(points, [0, 1, 2, 3, 4]);
    expect(dist.get(0)).toBe(Infinity);
    expect(dist.get(4)).toBe(Infinity);
    expect(dist.get(2)).toBeCloseTo(1);
    expect(selectByRank(points, ['max', 'max'], 2).sort()).toEqual([0, 4]);
    expect(selectByRank(points, ['max', 'max'], 6).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(selectByRank(points, ['min', 'min'], 1)).toEqual([5]);
  });
});

describe('2-D hypervolume', () => {
  it('measures the staircase up to the reference point, in any direction', () => {
    // Minimize both, reference (4, 4): points (1,3), (2,2), (3,1) → 3 + 2 + 1 = 6.
    expect(hypervolume2d([[1, 3], [2, 2], [3, 1]], ['min', 'min'], [4, 4])).toBe(6);
    // A dominated point and one beyond the reference add nothing.
    expect(hypervolume2d([[1, 3], [2, 2], [3, 1], [3, 3], [5, 0]], ['min', 'min'], [4, 4])).toBe(6);
    // Maximize the first: mirrored.
    expect(hypervolume2d([[-1, 3], [-2, 2], [-3, 1]], ['max', 'min'], [-4, 4])).toBe(6);
  });
});
