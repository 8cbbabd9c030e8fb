// Grid search: combinations in a fixed mixed-radix order (last hyperparameter fastest), skipping
// those already tried, so it is stateless and restarts where it left off.
import { comboKey, discreteValues, FLOAT_GRID_POINTS, fromUnit, spaceCardinality, type HpValue, type HpValues, type Hyperparameter, type SearchSpace } from '../domain/hyperparameters.js';
import type { Oracle, OracleInput, Suggestions } from '../domain/oracle.js';

/** A continuous float is gridded on FLOAT_GRID_POINTS points (log-spaced with log sampling). */
export function gridValues(hp: Hyperparameter): HpValue[] {
  const values = discreteValues(hp);
  if (values) return values;
  return Array.from({ length: FLOAT_GRID_POINTS }, (_, k) => {
    const v = fromUnit(hp, k / (FLOAT_GRID_POINTS - 1));
    return Number((v as number).toPrecision(12));
  });
}

export function gridSize(space: SearchSpace): number {
  return space.reduce((n, hp) => n * gridValues(hp).length, 1);
}

/** The index-th combination of the grid. */
export function enumerateCombo(space: SearchSpace, index: number): HpValues {
  const out: HpValues = {};
  let k = index;
  for (let i = space.length - 1; i >= 0; i--) {
    const values = gridValues(space[i]);
    out[space[i].name] = values[k % values.length];
    k = Math.floor(k / values.length);
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
