// What bench:search asks the service for: the notebook's search space grown to choose depth
// (num_conv_layers 1-3, conv layers 2 and 3 conditional) and pooling (a conditional max-pooling
// layer after the convs), and one request per algorithm under the same budget counted in epochs.
import type { SearchRequest } from '../src/domain/search-spec.js';
import type { BracketSizing } from '../src/domain/algorithms.js';
import { hyperbandBrackets } from '../src/domain/hyperband-brackets.js';
import type { LayerTemplate } from '../src/domain/model-template.js';
import { NOTEBOOK_SEARCH } from '../src/schemas/search-example.js';

export const BENCH_ALGORITHMS = ['random', 'bayesian', 'hyperband', 'asha', 'median'] as const;
export type BenchAlgorithm = (typeof BENCH_ALGORITHMS)[number];
export const isBenchAlgorithm = (s: string): s is BenchAlgorithm => (BENCH_ALGORITHMS as readonly string[]).includes(s);

/** Epochs a full-length trial trains (the notebook's 3); hyperband and asha top out here too. */
export const FULL_EPOCHS = 3;

export interface BenchSettings {
  /** dataset.limit: images read from the training set, validationSplit 0.1 of them held out. */
  limit: number;
  /** budget.maxTotalEpochs of every search. */
  budget: number;
  batchSize: number;
}

const twoOrMore = { hp: 'num_conv_layers', in: [2, 3] };
const three = { hp: 'num_conv_layers', in: [3] };

/** The notebook's space and template with depth and pooling as hyperparameters. */
export function benchSpace(): Pick<SearchRequest, 'hyperparameters' | 'model'> {
  const notebook = structuredClone(NOTEBOOK_SEARCH);
  const hp = (name: string) => notebook.hyperparameters.find((h) => h.name === name)!;
  const hyperparameters: SearchRequest['hyperparameters'] = [
    { name: 'num_conv_layers', type: 'choice', values: [1, 2, 3] },
    hp('conv_1_filter'),
    hp('conv_1_kernel'),
    { ...hp('conv_2_filter'), when: twoOrMore },
    { ...hp('conv_2_kernel'), when: twoOrMore },
    // The third layer gets the second's ranges (the notebook has no third to copy).
    { ...hp('conv_2_filter'), name: 'conv_3_filter', when: three },
    { ...hp('conv_2_kernel'), name: 'conv_3_kernel', when: three },
    { name: 'use_pooling', type: 'boolean' },
    hp('dense_1_units'),
    hp('learning_rate'),
  ];
  const [conv1, conv2, ...rest] = notebook.model.layers;
  if (conv2.type !== 'conv2d') throw new Error("the notebook's second layer is a conv2d");
  const conv3: LayerTemplate = { ...conv2, filters: { hp: 'conv_3_filter' }, kernelSize: { hp: 'conv_3_kernel' } };
  const layers: LayerTemplate[] = [
    conv1,
    { ...conv2, when: twoOrMore },
    { ...conv3, when: three },
    { type: 'maxPooling2d', poolSize: 2, when: { hp: 'use_pooling', in: [true] } },
    ...rest,
  ];
  return { hyperparameters, model: { ...notebook.model, layers } };
}

/** Hyperband iterations whose epochs cover the budget (maxTotalEpochs then stops the last one short). */
export function hyperbandIterationsFor(budget: number, maxEpochs: number, factor: number, sizing: BracketSizing = 'keras-tuner'): number {
  const perIteration = hyperbandBrackets(maxEpochs, factor, sizing).reduce((sum, b) =>
    sum + b.rounds.reduce((n, r, i) => n + r.size * (r.epochs - (i === 0 ? 0 : b.rounds[i - 1].epochs)), 0), 0);
  return Math.max(1, Math.ceil(budget / perIteration));
}

/**
 * One search request per algorithm. Random and bayesian get budget / FULL_EPOCHS trials (equal
 * trials); hyperband, asha and median stopping may start as many configurations as the budget
 * allows, so maxTotalEpochs is what ends every search.
 */
export function benchRequest(algorithm: BenchAlgorithm, seed: number, s: BenchSettings): SearchRequest {
  const fullTrials = Math.max(1, Math.floor(s.budget / FULL_EPOCHS));
  const base: SearchRequest = {
    ...benchSpace(),
    name: `bench-${algorithm}-seed-${seed}`,
    dataset: { id: 'fashion-mnist', limit: s.limit },
    objective: { metric: 'val_accuracy', direction: 'max' },
    training: { epochs: FULL_EPOCHS, batchSize: s.batchSize, validationSplit: 0.1 },
    budget: { maxTrials: fullTrials, maxParallelTrials: 1, maxTotalEpochs: s.budget, maxRetriesPerTrial: 0 },
    algorithm: { name: 'random', seed },
  };
  switch (algorithm) {
    case 'random':
      return base;
    case 'bayesian':
      return { ...base, algorithm: { name: 'bayesian', seed } };
    case 'hyperband': {
      const settings = { maxEpochs: FULL_EPOCHS, factor: 3 };
      const hyperbandIterations = hyperbandIterationsFor(s.budget, settings.maxEpochs, settings.factor);
      // maxTrials left to hyperband's default: the configurations its brackets start.
      const { maxTrials: _, ...budget } = base.budget!;
      return { ...base, algorithm: { name: 'hyperband', seed, ...settings, hyperbandIterations }, budget };
    }
    case 'asha':
      return { ...base, algorithm: { name: 'asha', seed, minEpochs: 1, maxEpochs: FULL_EPOCHS, reductionFactor: 3 }, budget: { ...base.budget, maxTrials: s.budget } };
    case 'median':
      return { ...base, earlyStopping: { name: 'median', startEpoch: 1, minTrials: 3 }, budget: { ...base.budget, maxTrials: s.budget } };
  }
}
