// Counting and indexing the valid combinations of a (conditional) space without listing them.
import type { HpValue, Hyperparameter, SearchSpace } from './definitions.js';
import { cardinality, discreteIndex } from './type-lookup.js';

/**
 * The space as a forest, each hyperparameter under the one its condition names. Given a parent's
 * value its children's subtrees are independent, so a subtree's combinations are, summed over the
 * parent's values, the product of the subtrees active at each: counting and indexing stay cheap.
 * `size` is how many values a hyperparameter takes (its grid points, for the grid).
 */
export class SpaceTree {
  readonly roots: Hyperparameter[];
  private readonly kids = new Map<string, Hyperparameter[]>();
  private readonly counts = new Map<string, number>();
  private readonly blockCache = new Map<string, [number, number][]>();

  constructor(space: SearchSpace, private readonly size: (hp: Hyperparameter) => number) {
    this.roots = space.filter((hp) => !hp.when);
    for (const hp of space) if (hp.when) this.kids.set(hp.when.hp, [...(this.kids.get(hp.when.hp) ?? []), hp]);
  }

  get total(): number {
    return this.roots.reduce((n, hp) => n * this.count(hp), 1);
  }

  /** The children active when `hp` takes `value`, in the space's order. */
  children(hp: Hyperparameter, value: HpValue): Hyperparameter[] {
    return (this.kids.get(hp.name) ?? []).filter((c) => c.when!.in.includes(value));
  }

  /** Combinations of `hp` and the hyperparameters under it, `hp` being active. */
  count(hp: Hyperparameter): number {
    let n = this.counts.get(hp.name);
    if (n === undefined) {
      const blocks = this.blocks(hp);
      // A value no child depends on is one combination; the others, their children's product.
      n = this.size(hp) - blocks.length + blocks.reduce((sum, [, b]) => sum + b, 0);
      this.counts.set(hp.name, n);
    }
    return n;
  }

  /** The value indices some child depends on, ascending, each with its number of combinations. */
  blocks(hp: Hyperparameter): [number, number][] {
    let blocks = this.blockCache.get(hp.name);
    if (!blocks) {
      const product = new Map<number, number>();
      for (const child of this.kids.get(hp.name) ?? []) {
        for (const k of new Set(child.when!.in.map((v) => discreteIndex(hp, v))))
          if (k >= 0) product.set(k, (product.get(k) ?? 1) * this.count(child));
      }
      blocks = [...product].sort((a, b) => a[0] - b[0]);
      this.blockCache.set(hp.name, blocks);
    }
    return blocks;
  }
}

/** How many valid combinations (inactive hyperparameters absent); Infinity with a continuous float. */
export function spaceCardinality(space: SearchSpace): number {
  return new SpaceTree(space, cardinality).total;
}
