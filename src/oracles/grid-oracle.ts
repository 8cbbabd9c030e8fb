// Grid search: combinations in a fixed mixed-radix order (last hyperparameter fastest), skipping
// those already tried, so it is stateless and restarts where it left off. In a conditional space
// only valid combinations are enumerated (an inactive hyperparameter takes no grid points).
import { comboKey, Grid, type HpValues } from '../domain/hyperparameters.js';
import type { Oracle, OracleInput } from '../domain/oracle.js';

export class GridOracle implements Oracle {
  suggest({ space, history }: OracleInput, count: number): HpValues[] {
    const seen = new Set(history.map((t) => comboKey(t.hyperparameters)));
    const grid = new Grid(space);
    const values: HpValues[] = [];
    // At most |history| grid points are skipped, so this loop is bounded by history + count.
    for (let i = 0; i < grid.size && values.length < count; i++) {
      const v = grid.combo(i);
      if (seen.has(comboKey(v))) continue;
      seen.add(comboKey(v));
      values.push(v);
    }
    return values;
  }
}
