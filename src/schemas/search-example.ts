// The notebook's search, exactly as the contract gives it: the OpenAPI example of POST /searches
// and the fixture the tests start from.
import type { SearchRequest } from '../domain/search-spec.js';

export const NOTEBOOK_SEARCH: SearchRequest = {
  name: 'fashion-mnist-cnn',
  dataset: { id: 'fashion-mnist', limit: 60000 },
  objective: { metric: 'val_accuracy', direction: 'max' },
  algorithm: { name: 'random', seed: 42 },
  budget: { maxTrials: 5, maxParallelTrials: 1 },
  training: { epochs: 3, batchSize: 32, validationSplit: 0.1 },
  hyperparameters: [
    { name: 'conv_1_filter', type: 'int', min: 32, max: 128, step: 16 },
    { name: 'conv_1_kernel', type: 'choice', values: [3, 5] },
    { name: 'conv_2_filter', type: 'int', min: 32, max: 64, step: 16 },
    { name: 'conv_2_kernel', type: 'choice', values: [3, 5] },
    { name: 'dense_1_units', type: 'int', min: 32, max: 128, step: 16 },
    { name: 'learning_rate', type: 'choice', values: [0.01, 0.001] },
  ],
  model: {
    inputShape: [28, 28, 1],
    layers: [
      { type: 'conv2d', filters: { hp: 'conv_1_filter' }, kernelSize: { hp: 'conv_1_kernel' }, activation: 'relu' },
      { type: 'conv2d', filters: { hp: 'conv_2_filter' }, kernelSize: { hp: 'conv_2_kernel' }, activation: 'relu' },
      { type: 'flatten' },
      { type: 'dense', units: { hp: 'dense_1_units' }, activation: 'relu' },
      { type: 'dense', units: 10, activation: 'softmax' },
    ],
    optimizer: { type: 'adam', learningRate: { hp: 'learning_rate' } },
    loss: 'sparseCategoricalCrossentropy',
  },
};
