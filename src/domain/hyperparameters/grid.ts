// The grid over a space: every valid combination in a fixed order, each computed from its index.
// The grid oracle walks it; the random oracle picks among its last unseen combinations.
import type { HpValue, HpValues, Hyperparameter, SearchSpace } from './definitions.js';
import { discreteAt, discreteCount, fromUnit } from './type-lookup.js';
import { SpaceTree } from './space-tree.js';

/** Points a grid takes on a float without a step (Keras Tuner needs a step; we give a sane default). */
export const FLOAT_GRID_POINTS = 10;

/** Points on a hyperparameter's grid: its values, or FLOAT_GRID_POINTS for a continuous float. */
export const gridCount = (hp: Hyperparameter): number => discreteCount(hp) ?? FLOAT_GRID_POINTS;

/** The k-th grid point; a continuous float's are spread evenly (log-spaced with log sampling). */
export function gridAt(hp: Hyperparameter, k: number): HpValue {
  if (discreteCount(hp) !== null) return discreteAt(hp, k);
  return Number((fromUnit(hp, k / (FLOAT_GRID_POINTS - 1)) as number).toPrecision(12));
}

/**
 * The valid combinations of a space's grid: a conditional hyperparameter's points count only where
 * it is active. The order is mixed-radix over the unconditional hyperparameters (last one fastest);
 * a parent's value picks a block holding its active children's combinations, in the same order.
 */
export class Grid {
  private readonly tree: SpaceTree;

  constructor(private readonly space: SearchSpace) {
    this.tree = new SpaceTree(space, gridCount);
  }

  get size(): number {
    return this.tree.total;
  }

  /** The index-th combination (0 <= index < size). */
  combo(index: number): HpValues {
    const { tree } = this;
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
    return Object.fromEntries(this.space.filter((hp) => out.has(hp.name)).map((hp) => [hp.name, out.get(hp.name)!]));
  }
}
