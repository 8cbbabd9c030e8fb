import { describe, expect, it } from 'vitest';
import { batchMemory, MB } from '../../src/domain/batch-memory.js';
import { ValidationError } from '../../src/domain/errors.js';
import { describeArchitecture } from '../../src/domain/model-summary.js';
import type { ConcreteLayer, ConcreteModel, ConcreteOptimizer } from '../../src/domain/model-template.js';
import { normalizeSpec, validateSpec, type SearchRequest } from '../../src/domain/search-spec.js';
import { referenceSearch } from '../fixtures/reference-search.js';

const adam: ConcreteOptimizer = { type: 'adam', learningRate: 0.001, momentum: 0 };
const model = (layers: ConcreteLayer[], optimizer = adam, inputShape = [4, 4, 1]): ConcreteModel =>
  ({ inputShape, layers, optimizer, loss: 'sparseCategoricalCrossentropy' });
// [4, 4, 1] → conv 3x3, 2 filters → [2, 2, 2] (20 params) → flatten [8] → dense [3] (27 params)
const small: ConcreteLayer[] = [
  { type: 'conv2d', filters: 2, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu' },
  { type: 'flatten' },
  { type: 'dense', units: 3, activation: 'softmax' },
];

describe('batchMemory', () => {
  it('counts the input once, every output twice, weights with their gradients and optimizer state, in float32', () => {
    // Per image: (16 input + 2 x (8 + 8 + 3) outputs) x 4 bytes = 216. Fixed: 47 weights x (1 + gradient + adam's 2) x 4 = 752.
    const m = batchMemory(describeArchitecture(model(small)), 10);
    expect(m).toEqual({ perExampleBytes: 216, fixedBytes: 752, bytes: 752 + 10 * 216, largestLayer: 0 });
  });

  it('keeps per weight what each optimizer keeps', () => {
    const fixed = (optimizer: ConcreteOptimizer) => batchMemory(describeArchitecture(model(small, optimizer)), 1).fixedBytes;
    expect(fixed({ type: 'sgd', learningRate: 0.01, momentum: 0 })).toBe(47 * 2 * 4);
    expect(fixed({ type: 'sgd', learningRate: 0.01, momentum: 0.9 })).toBe(47 * 3 * 4);
    expect(fixed({ type: 'rmsprop', learningRate: 0.001, momentum: 0 })).toBe(47 * 4 * 4);
  });

  it("counts batch normalization's moving statistics once: they get no gradient or optimizer state", () => {
    const layers: ConcreteLayer[] = [small[0], { type: 'batchNormalization', momentum: 0.99, epsilon: 0.001 }, ...small.slice(1)];
    const m = batchMemory(describeArchitecture(model(layers)), 1);
    // 4 more trainable (gamma, beta) x 4 copies, 4 moving statistics x 1; one more [2, 2, 2] output twice.
    expect(m.fixedBytes).toBe(752 + 4 * 4 * 4 + 4 * 4);
    expect(m.perExampleBytes).toBe(216 + 2 * 8 * 4);
  });

  it("estimates the issue's example at about 196 GiB for a batch of 4096, its 28x28x8192 conv output first", () => {
    const arch = describeArchitecture(model([
      { type: 'conv2d', filters: 8192, kernelSize: 1, strides: 1, padding: 'same', activation: 'relu' },
      { type: 'maxPooling2d', poolSize: 28, strides: 28, padding: 'valid' },
      { type: 'flatten' },
      { type: 'dense', units: 10, activation: 'softmax' },
    ], adam, [28, 28, 1]));
    expect(arch.totalParams).toBe(98_314);
    const m = batchMemory(arch, 4096);
    expect(m.perExampleBytes).toBe((784 + 2 * (28 * 28 * 8192 + 8192 + 8192 + 10)) * 4);
    expect(m.largestLayer).toBe(0);
    expect(Math.ceil(m.bytes / MB)).toBe(201_231);
  });
});

describe('validateSpec: the memory bound', () => {
  const limits = { maxTrialsPerSearch: 100, maxEpochs: 50, maxParallelTrials: 8, maxParams: 50_000_000, maxBatchMemoryMb: 4096 };
  const errorOf = (req: SearchRequest, l = limits): ValidationError | undefined => {
    try { validateSpec(normalizeSpec(req, () => 1), l); } catch (e) { if (e instanceof ValidationError) return e; throw e; }
    return undefined;
  };
  const wide = (batchSize: number, filters: SearchRequest['hyperparameters'][number] = { name: 'filters', type: 'fixed', value: 8192 }) => referenceSearch({
    training: { epochs: 1, batchSize, validationSplit: 0.1 },
    hyperparameters: [filters],
    model: {
      inputShape: [28, 28, 1],
      layers: [
        { type: 'conv2d', filters: { hp: 'filters' }, kernelSize: 1, padding: 'same' },
        { type: 'maxPooling2d', poolSize: 28 },
        { type: 'flatten' },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
      optimizer: { type: 'adam' },
      loss: 'sparseCategoricalCrossentropy',
    },
  });

  it('accepts the notebook search at batch 32, its largest corner included', () => {
    expect(errorOf(referenceSearch())).toBeUndefined();
  });

  it('accepts the largest batch that fits and refuses one more, naming training.batchSize, the need and the limit', () => {
    expect(errorOf(wide(83))).toBeUndefined();
    const e = errorOf(wide(84))!;
    expect(e.field).toBe('training.batchSize');
    expect(e.reason).toMatch(/^the model needs about 4,1\d\d MB per training batch of 84 with filters=8192 \(model\.layers\[0\] outputs \[28, 28, 8192\] per image\), more than the limit of 4,096 MB \(MAX_BATCH_MEMORY_MB\): at most 83 fits$/);
  });

  it("checks the space's corners like the parameter cap: the largest filter count decides", () => {
    expect(errorOf(wide(84, { name: 'filters', type: 'int', min: 8, max: 8192, step: 8 }))?.reason).toMatch(/with filters=8192/);
    expect(errorOf(wide(84, { name: 'filters', type: 'int', min: 8, max: 4096, step: 8 }))).toBeUndefined();
  });

  it('names the model when not even a batch of 1 fits', () => {
    const e = errorOf(wide(1), { ...limits, maxBatchMemoryMb: 1 })!;
    expect(e.field).toBe('model');
    expect(e.reason).toMatch(/more than the limit of 1 MB \(MAX_BATCH_MEMORY_MB\), even at a batch of 1$/);
  });
});
