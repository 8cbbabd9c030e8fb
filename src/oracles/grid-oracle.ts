// Grid search: combinations in a fixed mixed-radix order (last hyperparameter fastest), skipping
// those already tried, so it is stateless and restarts where it left off.
import { comboKey, discreteAt, discreteCount, FLOAT_GRID_POINTS, fromUnit, spaceCardinality, type HpValue, type HpValues, type Hyperparameter, type SearchSpace } from '../domain/hyperparameters.js';
import type { Oracle, OracleInput, Suggestions } from '../domain/oracle.js';

/** Points on a hyperparameter's grid: its values, or FLOAT_GRID_POINTS for a continuous float. */
export const gridCount = (hp: Hyperparameter): number => discreteCount(hp) ?? FLOAT_GRID_POINTS;

/** The k-th grid point; a continuous float's are spread evenly (log-spaced with log sampling). */
export function gridAt(hp: Hyperparameter, k: number): HpValue {
  if (discreteCount(hp) !== null) return discreteAt(hp, k);
  return Number((fromUnit(hp, k / (FLOAT_GRID_POINTS - 1)) as number).toPrecision(12));
}

export function gridValues(hp: Hyperparameter): HpValue[] {
  return Array.from({ length: gridCount(hp) }, (_, k) => gridAt(hp, k));
}

export function gridSize(space: SearchSpace): number {
  return space.reduce((n, hp) => n * gridCount(hp), 1);
}

/** The index-th combination of the grid. */
export function enumerateCombo(space: SearchSpace, index: number): HpValues {
  const out: HpValues = {};
  let k = index;
  for (let i = space.length - 1; i >= 0; i--) {
    const n = gridCount(space[i]);
    out[space[i].name] = gridAt(space[i], k % n);
    k = Math.floor(k / n);
  }
  return Object.fromEntries(space.map((hp) => [hp.name, out[hp.name]]));
}

export class GridOracle implements Oracle {
  suggest({ space, history }: OracleInput, count: number): Suggestions {
    const seen = new Set(history.map((t) => comboKey(t.hyperparameters)));
    const size = Number.isFinite(spaceCardinality(space)) ? spaceCardinality(space) : gridSize(space);
    const values: HpValues[] = [];
    // At most |history| grid points are skipped, so this loop is bounded by history + count.
    for (let i = 0; i < size && values.length < count; i++) {
      const v = enumerateCombo(space, i);
      if (seen.has(comboKey(v))) continue;
      seen.add(comboKey(v));
      values.push(v);
    }
    return { values, exhausted: seen.size >= size };
  }
}
