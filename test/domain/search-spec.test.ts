import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { describeArchitecture } from '../../src/domain/model-summary.js';
import { resolveTemplate } from '../../src/domain/model-template.js';
import { normalizeSpec, validateSpec, type SearchRequest } from '../../src/domain/search-spec.js';
import { referenceSearch } from '../fixtures/reference-search.js';

const limits = { maxTrialsPerSearch: 100, maxEpochs: 50, maxParallelTrials: 8, maxParams: 50_000_000, maxBatchMemoryMb: 4096 };
const check = (req: SearchRequest) => validateSpec(normalizeSpec(req, () => 1), limits);
const errorOf = (req: SearchRequest): ValidationError => {
  try { check(req); } catch (e) { if (e instanceof ValidationError) return e; throw e; }
  throw new Error('expected a ValidationError');
};

describe('search spec', () => {
  it('accepts the notebook search', () => {
    expect(() => check(referenceSearch())).not.toThrow();
  });

  it('fills defaults and always stores a seed', () => {
    const spec = normalizeSpec({ ...referenceSearch(), algorithm: undefined, budget: undefined, training: undefined }, () => 1234);
    expect(spec.algorithm).toEqual({ name: 'random', seed: 1234 });
    expect(spec.training.validationSplit).toBe(0.1);
  });

  it('gives bayesian a default number of random starting trials, and only bayesian', () => {
    const spec = normalizeSpec(referenceSearch({ algorithm: { name: 'bayesian', seed: 1 }, budget: { maxTrials: 20 } }), () => 1);
    expect(spec.algorithm).toEqual({ name: 'bayesian', seed: 1, initialRandomTrials: 5 });
    expect(() => validateSpec(spec, limits)).not.toThrow();
    expect(errorOf(referenceSearch({ algorithm: { name: 'random', initialRandomTrials: 3 } })).field).toBe('algorithm.initialRandomTrials');
  });

  it('describes the notebook best model like Keras summary(): 1,355,978 params', () => {
    const arch = describeArchitecture(resolveTemplate(referenceSearch().model, {
      conv_1_filter: 64, conv_1_kernel: 3, conv_2_filter: 48, conv_2_kernel: 3, dense_1_units: 48, learning_rate: 0.001,
    }));
    expect(arch.layers.map((l) => [l.name, l.outputShape, l.params])).toEqual([
      ['conv2d', [null, 26, 26, 64], 640],
      ['conv2d_1', [null, 24, 24, 48], 27696],
      ['flatten', [null, 27648], 0],
      ['dense', [null, 48], 1327152],
      ['dense_1', [null, 10], 490],
    ]);
    expect(arch.totalParams).toBe(1355978);
  });

  it('rejects a kernel larger than its input, naming the layer and the hyperparameter', () => {
    const req = referenceSearch();
    req.model.layers.splice(1, 0, { type: 'maxPooling2d', poolSize: 8 });
    const err = errorOf(req);
    expect(err.field).toBe('model.layers[2].kernelSize');
    expect(err.reason).toMatch(/larger than its 3x3 input.*conv_2_kernel=5/);
  });

  it('rejects references to unknown hyperparameters', () => {
    const req = referenceSearch();
    req.model.layers[3] = { type: 'dense', units: { hp: 'nope' } };
    expect(errorOf(req).field).toBe('model.layers[3].units');
  });

  it('rejects a hyperparameter of the wrong type for its field', () => {
    const req = referenceSearch();
    req.hyperparameters.push({ name: 'act', type: 'choice', values: ['relu', 'swishy'] });
    req.model.layers[3] = { type: 'dense', units: 32, activation: { hp: 'act' } };
    const err = errorOf(req);
    expect(err.field).toBe('model.layers[3].activation');
    expect(err.reason).toContain('swishy');
  });

  it('requires the output to match the dataset classes', () => {
    const req = referenceSearch();
    req.model.layers[4] = { type: 'dense', units: 7, activation: 'softmax' };
    expect(errorOf(req).field).toBe('model.layers[4]');
  });

  it('builds every layer type with Keras shapes and parameter counts', () => {
    const arch = describeArchitecture(resolveTemplate({
      inputShape: [28, 28, 1],
      layers: [
        { type: 'conv2d', filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
        { type: 'batchNormalization' },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'averagePooling2d', poolSize: 2, strides: 1, padding: 'same' },
        { type: 'dropout', rate: 0.25 },
        { type: 'flatten' },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
      optimizer: { type: 'sgd', momentum: 0.9 },
      loss: 'sparseCategoricalCrossentropy',
    }, {}));
    expect(arch.layers.map((l) => l.outputShape)).toEqual([
      [null, 14, 14, 8], [null, 14, 14, 8], [null, 7, 7, 8], [null, 7, 7, 8], [null, 7, 7, 8], [null, 392], [null, 10],
    ]);
    expect(arch.nonTrainableParams).toBe(16);
    expect(arch.totalParams).toBe(80 + 32 + 3930);
    expect(arch.optimizer).toEqual({ type: 'sgd', learningRate: 0.01, momentum: 0.9 });
  });

  it('enforces budget, training and dataset bounds', () => {
    expect(errorOf({ ...referenceSearch(), budget: { maxTrials: 0 } }).field).toBe('budget.maxTrials');
    expect(errorOf({ ...referenceSearch(), budget: { maxTrials: 1000 } }).field).toBe('budget.maxTrials');
    expect(errorOf({ ...referenceSearch(), training: { validationSplit: 1 } }).field).toBe('training.validationSplit');
    expect(errorOf({ ...referenceSearch(), dataset: { id: 'cifar' } }).field).toBe('dataset.id');
    expect(errorOf({ ...referenceSearch(), dataset: { id: 'fashion-mnist', limit: 70000 } }).field).toBe('dataset.limit');
  });
});
