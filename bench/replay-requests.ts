// What the replay asks the service for: one search request per algorithm over a curve table's
// space, data and maxEpochs, all under the same budget of epochs. Random, grid and bayesian get
// `trials` full-length trials (equal trials); hyperband, asha and median stopping may start as
// many configurations as the budget allows, so maxTotalEpochs is what ends them.
import type { SearchRequest } from '../src/domain/search-spec.js';
import type { CurveTable } from './curve-table.js';
import { hyperbandIterationsFor } from './search-spaces.js';

// hyperband and asha sample with TPE (their default); `hyperband-random` and `asha-random` as Keras Tuner
// does; `hyperband-paper` sizes its brackets as Li et al. (2018) do instead of as Keras Tuner does.
export const REPLAY_ALGORITHMS = ['random', 'grid', 'bayesian', 'hyperband', 'asha', 'hyperband-paper', 'hyperband-random', 'asha-random', 'median'] as const;
export type ReplayAlgorithm = (typeof REPLAY_ALGORITHMS)[number];
export const isReplayAlgorithm = (s: string): s is ReplayAlgorithm => (REPLAY_ALGORITHMS as readonly string[]).includes(s);

/** How hyperband and asha cut: the reduction factor (default 3) and asha's first rung (default 1 epoch). */
export interface MultiFidelitySettings { factor?: number; minEpochs?: number }

export function replayRequest(algorithm: ReplayAlgorithm, seed: number, table: CurveTable, trials: number, settings: MultiFidelitySettings = {}): SearchRequest {
  const base: SearchRequest = {
    ...table.space,
    name: `replay-${algorithm}-seed-${seed}`,
    dataset: table.dataset,
    objective: { metric: 'val_accuracy', direction: 'max' },
    training: table.training,
    budget: { maxTrials: trials, maxParallelTrials: 1, maxRetriesPerTrial: 0 },
    algorithm: { name: 'random', seed },
  };
  return underEqualEpochs(base, algorithm, seed, table.rows.length, settings);
}

/**
 * `base` (a random search of budget.maxTrials trials of training.epochs each) turned into
 * `algorithm` under the same budget of epochs: random, grid and bayesian keep the trials;
 * hyperband, asha and median stopping get maxTotalEpochs and may start as many configurations as
 * it pays for at one epoch each, never more than `configurations` (the space's size, if finite).
 */
export function underEqualEpochs(base: SearchRequest, algorithm: ReplayAlgorithm, seed: number, configurations: number, settings: MultiFidelitySettings = {}): SearchRequest {
  const factor = settings.factor ?? 3;
  const minEpochs = settings.minEpochs ?? 1;
  const maxEpochs = base.training?.epochs;
  const trials = base.budget?.maxTrials;
  if (!maxEpochs || !trials) throw new Error('the base request needs training.epochs and budget.maxTrials');
  const budget = trials * maxEpochs;
  const random: SearchRequest = { ...base, budget: { ...base.budget, maxTotalEpochs: budget }, algorithm: { name: 'random', seed } };
  const many = Math.min(budget, configurations);
  switch (algorithm) {
    case 'random':
      return random;
    case 'grid':
    case 'bayesian':
      return { ...random, algorithm: { name: algorithm, seed } };
    case 'hyperband':
    case 'hyperband-paper':
    case 'hyperband-random': {
      const brackets = algorithm === 'hyperband-paper' ? 'paper' : 'keras-tuner';
      const hyperbandIterations = Math.min(20, hyperbandIterationsFor(budget, maxEpochs, factor, brackets));
      const { maxTrials: _, ...rest } = random.budget!;
      return { ...random, algorithm: { name: 'hyperband', seed, maxEpochs, factor, hyperbandIterations, ...samplerOf(algorithm), ...(brackets === 'paper' ? { brackets } : {}) }, budget: rest };
    }
    case 'asha':
    case 'asha-random':
      return { ...random, algorithm: { name: 'asha', seed, minEpochs, maxEpochs, reductionFactor: factor, ...samplerOf(algorithm) }, budget: { ...random.budget, maxTrials: many } };
    case 'median':
      return { ...random, earlyStopping: { name: 'median', startEpoch: 1, minTrials: 3 }, budget: { ...random.budget, maxTrials: many } };
  }
}

const samplerOf = (algorithm: ReplayAlgorithm) => (algorithm.endsWith('-random') ? { sampler: 'random' as const } : {});
