// The ports of search algorithms, implemented in src/oracles/. As in Optuna's samplers, an algorithm
// keeps no state: it reads the trial history it is given, so any process can schedule after a restart.
import type { AlgorithmSettings } from './algorithms.js';
import type { HpValues, SearchSpace } from './hyperparameters.js';
import type { TrialStatus } from './trial-state.js';

export interface PastTrial {
  hyperparameters: HpValues;
  status: TrialStatus;
  /** The objective value, when the trial has one. */
  value: number | null;
  /** A multi-objective search's completed trial: its value per objective (spec.objectives' order). */
  values?: number[] | null;
  /** hyperband, asha: the epochs the trial trains to, the fidelity its value was measured at. */
  epochs?: number;
}

export interface OracleInput {
  space: SearchSpace;
  seed: number;
  history: PastTrial[];
  /** Whether a larger objective value is better (model-based algorithms need it). */
  direction?: 'max' | 'min';
  /** Set on a multi-objective search: each objective's direction; trials are then compared by their `values`. */
  directions?: ('max' | 'min')[];
  /** Random trials before a model-based algorithm starts modelling. */
  initialRandomTrials?: number;
}

/** Samples new configurations (random, grid, bayesian). */
export interface Oracle {
  /** Up to `count` new combinations, none equal to a past one or to each other; fewer once the space runs out. */
  suggest(input: OracleInput, count: number): HpValues[];
}

/** A past trial as a multi-fidelity algorithm sees it: where it sits in the schedule. */
export interface RungTrial extends PastTrial {
  id: string;
  /** The epoch count it trains to. */
  targetEpochs: number;
  /** Epochs its parent trained: it continues from there. */
  initialEpoch: number;
  parentTrialId: string | null;
  bracket: number | null;
  rung: number | null;
}

/** A trial to create: a new configuration, or a promotion continuing a past trial's weights. */
export interface TrialProposal {
  hyperparameters: HpValues;
  targetEpochs?: number;
  initialEpoch?: number;
  parentTrialId?: string;
  bracket?: number;
  rung?: number;
}

export interface PromoterInput {
  settings: AlgorithmSettings;
  direction: 'max' | 'min';
  /** Every trial of the search that the algorithm created (warm starts and retrains left out). */
  history: RungTrial[];
  /**
   * Up to `count` new configurations from the search's sampler, none seen before; fewer (maybe none)
   * when the space or the budget's maxTrials (which counts configurations, not promotions) runs out.
   */
  sample(count: number): HpValues[];
}

/**
 * Multi-fidelity algorithms (hyperband, asha): they decide which past trials continue for more
 * epochs and at which epoch count new configurations start.
 */
export interface Promoter {
  /** Up to `count` trials to create now. */
  propose(input: PromoterInput, count: number): TrialProposal[];
}
