// Where each hyperparameter's values fall for the Parzen estimators: choices and booleans one cell
// per value, unordered; int and float ranges a grid of at most MAX_STEPS ordered cells, evenly
// spaced in log space where the hyperparameter is log-sampled (as Optuna's PED-ANOVA grids them).
import { discreteCount, indexIn, type HpValue, type Hyperparameter } from '../hyperparameters.js';

const MAX_STEPS = 50;

export interface Cells {
  kind: 'numeric' | 'categorical';
  size: number;
  /** The value's cell, or -1 for a value that is not one of the hyperparameter's. */
  of(value: HpValue): number;
}

/** The hyperparameter's cells; null when it takes a single value (a fixed one), which explains nothing. */
export function gridCells(hp: Hyperparameter): Cells | null {
  switch (hp.type) {
    case 'fixed': return null;
    case 'boolean': return { kind: 'categorical', size: 2, of: (v) => (v === false ? 0 : v === true ? 1 : -1) };
    case 'choice': return hp.values.length < 2 ? null : { kind: 'categorical', size: hp.values.length, of: (v) => indexIn(hp.values, v) };
    case 'int':
    case 'float': {
      const values = discreteCount(hp);
      if (hp.min === hp.max || values === 1) return null;
      const log = hp.sampling === 'log';
      let steps = MAX_STEPS;
      // A log int's grid is no finer than a doubling; a linear discrete range's no finer than its values.
      if (log && hp.type === 'int') steps = Math.min(Math.ceil(Math.log2(hp.max - hp.min + 1)) + 1, MAX_STEPS);
      else if (!log && values !== null) steps = Math.min(values, MAX_STEPS);
      const scale = log ? Math.log : (x: number) => x;
      const lo = scale(hp.min);
      const width = (scale(hp.max) - lo) / (steps - 1);
      return {
        kind: 'numeric', size: steps,
        // The nearest grid point (the lower on a tie); values just outside the range land on its ends.
        of: (v) => (typeof v !== 'number' || !Number.isFinite(v) || (log && v <= 0) ? -1 : Math.min(steps - 1, Math.max(0, Math.ceil((scale(v) - lo) / width - 0.5)))),
      };
    }
  }
}
