// Grid search: combinations in a fixed mixed-radix order (last hyperparameter fastest), skipping
// those already tried, so it is stateless and restarts where it left off. In a conditional space
// only valid combinations are enumerated (an inactive hyperparameter takes no grid points).
import { comboKey, discreteAt, discreteCount, FLOAT_GRID_POINTS, fromUnit, spaceCardinality, SpaceTree, type HpValue, type HpValues, type Hyperparameter, type SearchSpace } from '../domain/hyperparameters.js';
import type { Oracle, OracleInput } from '../domain/oracle.js';

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

/** Valid grid combinations: a conditional hyperparameter's points count only where it is active. */
export function gridSize(space: SearchSpace): number {
  return new SpaceTree(space, gridCount).total;
}

/**
 * The index-th valid combination of the grid. The order is mixed-radix over the unconditional
 * hyperparameters (last one fastest); a parent's value picks a block holding its active
 * children's combinations, in the same order. Pass `tree` when enumerating many.
 */
export function enumerateCombo(space: SearchSpace, index: number, tree = new SpaceTree(space, gridCount)): HpValues {
  const out = new Map<string, HpValue>();
  const mixed = (hps: Hyperparameter[], index: number) => {
    let k = index;
    for (let i = hps.length - 1; i >= 0; i--) {
      const n = tree.count(hps[i]);
      one(hps[i], k % n);
      k = Math.floor(k / n);
    }
  };
  const one = (hp: Hyperparameter, k: number) => {
    // Values without children take one index each; a value with children, a block of their combinations.
    let extra = 0;
    let at = -1;
    let rest = 0;
    for (const [v, size] of tree.blocks(hp)) {
      const start = v + extra;
      if (k < start) break;
      if (k < start + size) { at = v; rest = k - start; break; }
      extra += size - 1;
    }
    const value = gridAt(hp, at < 0 ? k - extra : at);
    out.set(hp.name, value);
    mixed(tree.children(hp, value), rest);
  };
  mixed(tree.roots, index);
  return Object.fromEntries(space.filter((hp) => out.has(hp.name)).map((hp) => [hp.name, out.get(hp.name)!]));
}

export class GridOracle implements Oracle {
  suggest({ space, history }: OracleInput, count: number): HpValues[] {
    const seen = new Set(history.map((t) => comboKey(t.hyperparameters)));
    const tree = new SpaceTree(space, gridCount);
    const size = Number.isFinite(spaceCardinality(space)) ? spaceCardinality(space) : tree.total;
    const values: HpValues[] = [];
    // At most |history| grid points are skipped, so this loop is bounded by history + count.
    for (let i = 0; i < size && values.length < count; i++) {
      const v = enumerateCombo(space, i, tree);
      if (seen.has(comboKey(v))) continue;
      seen.add(comboKey(v));
      values.push(v);
    }
    return values;
  }
}
