// The port of search algorithms, implemented in src/oracles/. As in Optuna's samplers, an oracle
// keeps no state: it reads the trial history it is given, so any process can schedule after a restart.
import type { HpValues, SearchSpace } from './hyperparameters.js';
import type { TrialStatus } from './trial-state.js';

export interface PastTrial {
  hyperparameters: HpValues;
  status: TrialStatus;
  /** The objective value, when the trial has one. */
  value: number | null;
}

export interface OracleInput {
  space: SearchSpace;
  seed: number;
  history: PastTrial[];
  /** Whether a larger objective value is better (model-based algorithms need it). */
  direction?: 'max' | 'min';
  /** Random trials before a model-based algorithm starts modelling. */
  initialRandomTrials?: number;
}

export interface Suggestions {
  values: HpValues[];
  /** True when the space has no unseen combination left: the search may end early. */
  exhausted: boolean;
}

export interface Oracle {
  /** Up to `count` new combinations, none equal to a past one or to each other. */
  suggest(input: OracleInput, count: number): Suggestions;
}
