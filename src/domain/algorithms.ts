// The names and settings of the search algorithms and objectives a search may ask for.

export const ALGORITHMS = ['random', 'grid', 'bayesian', 'hyperband', 'asha'] as const;
export type AlgorithmName = (typeof ALGORITHMS)[number];
/**
 * How hyperband and asha draw new configurations: by TPE over what the promotions found so far (the
 * default, as BOHB; Optuna's TPESampler beside its HyperbandPruner) or at random (Keras Tuner's Hyperband).
 */
export const SAMPLERS = ['random', 'tpe'] as const;
export type SamplerName = (typeof SAMPLERS)[number];
/** Hyperband's bracket sizes: Keras Tuner's (the default) or Li et al.'s paper's (more configurations per bracket). */
export const BRACKET_SIZINGS = ['keras-tuner', 'paper'] as const;
export type BracketSizing = (typeof BRACKET_SIZINGS)[number];
/** Algorithms that train trials for different epoch counts and promote the best (multi-fidelity). */
export const isMultiFidelity = (name: AlgorithmName): name is 'hyperband' | 'asha' => name === 'hyperband' || name === 'asha';

export const OBJECTIVE_METRICS = ['val_accuracy', 'val_loss', 'accuracy', 'loss'] as const;
export type ObjectiveMetric = (typeof OBJECTIVE_METRICS)[number];
/**
 * What a multi-objective search may optimize: a per-epoch metric, the model's parameter count, or
 * its measured single-image prediction latency in milliseconds (timed once, at the trial's end).
 */
export const OBJECTIVE_NAMES = [...OBJECTIVE_METRICS, 'params', 'latency_ms'] as const;
export type ObjectiveName = (typeof OBJECTIVE_NAMES)[number];
/** One of a multi-objective search's objectives (spec.objectives). */
export interface NamedObjective { name: ObjectiveName; direction: 'max' | 'min' }
/** Accuracies are maximized; losses, parameter counts and latencies minimized, unless the request says otherwise. */
export const defaultDirection = (metric: ObjectiveName): 'max' | 'min' =>
  (metric.endsWith('loss') || metric === 'params' || metric === 'latency_ms' ? 'min' : 'max');

export interface AlgorithmSettings {
  name: AlgorithmName;
  seed: number;
  /** bayesian, and hyperband/asha with sampler 'tpe': random configurations before it starts modelling. */
  initialRandomTrials?: number;
  /** hyperband, asha: how new configurations are drawn (default 'tpe'). */
  sampler?: SamplerName;
  /** hyperband, asha: the most epochs one configuration is trained for. */
  maxEpochs?: number;
  /** hyperband: the reduction factor between rounds (Keras Tuner's `factor`, default 3). */
  factor?: number;
  /** hyperband: how many times the whole set of brackets runs (Keras Tuner's `hyperband_iterations`). */
  hyperbandIterations?: number;
  /** hyperband: how its brackets are sized (default 'keras-tuner'). */
  brackets?: BracketSizing;
  /** asha: epochs of the lowest rung. */
  minEpochs?: number;
  /** asha: 1/reductionFactor of a rung is promoted to the next (default 3). */
  reductionFactor?: number;
}

/** Median stopping (Optuna's MedianPruner): prune a trial whose value at an epoch is worse than the median of earlier trials there. */
export interface EarlyStopping { name: 'median' | 'none'; startEpoch: number; minTrials: number }
