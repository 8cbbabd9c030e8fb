import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TrainingError } from '../../src/domain/errors.js';
import type { ConcreteModel } from '../../src/domain/model-template.js';
import { initBackend } from '../../src/training/backend.js';
import { buildModel, disposeModel } from '../../src/training/build-model.js';
import { FASHION_MNIST_DIR, loadFashionMnist } from '../../src/datasets/fashion-mnist.js';
import type { DatasetImages } from '../../src/domain/dataset-source.js';
import type { EpochMetrics } from '../../src/domain/training-port.js';
import { trainModel } from '../../src/training/train.js';
import { splitValidation } from '../../src/training/validation-split.js';

const SMALL_CNN: ConcreteModel = {
  inputShape: [28, 28, 1],
  layers: [
    { type: 'conv2d', filters: 8, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu' },
    { type: 'maxPooling2d', poolSize: 2, strides: 2, padding: 'valid' },
    { type: 'flatten' },
    { type: 'dense', units: 32, activation: 'relu' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
  optimizer: { type: 'adam', learningRate: 2e-3, momentum: 0 },
  loss: 'sparseCategoricalCrossentropy',
};

let data: DatasetImages;
beforeAll(async () => {
  await initBackend('wasm');
  data = loadFashionMnist(FASHION_MNIST_DIR, 'train', 2000);
});

const weightSums = (model: tf.LayersModel) => model.getWeights().map((w) => tf.tidy(() => tf.sum(w).dataSync()[0]));

describe('trainModel', () => {
  it('learns real Fashion-MNIST in one epoch and leaks no tensors across epochs', async () => {
    const { trainCount, valCount } = splitValidation(data.count, 0.2);
    const before = tf.memory().numTensors;
    const model = buildModel(SMALL_CNN, 1);
    const tensorsAtEpochEnd: number[] = [];
    const sumsAtEpochEnd: number[][] = [];
    const result = await trainModel({
      model, train: data, trainCount, valCount, epochs: 3, batchSize: 32,
      onEpochEnd: () => {
        tensorsAtEpochEnd.push(tf.memory().numTensors);
        sumsAtEpochEnd.push(weightSums(model));
        return 'continue';
      },
    });
    expect(result.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(result.epochs[0].valAccuracy).toBeGreaterThan(0.5); // chance is 0.1
    expect(result.epochs[0].durationMs).toBeGreaterThan(0);
    expect(result.stopped).toBe(false);
    expect(new Set(tensorsAtEpochEnd).size).toBe(1);
    // The best epoch (by val accuracy, first of equals) is the one whose weights come back.
    const best = result.epochs.reduce((b, e) => (e.valAccuracy > b.valAccuracy ? e : b));
    expect(result.best).toEqual(best);
    weightSums(model).forEach((s, i) => expect(s).toBeCloseTo(sumsAtEpochEnd[best.epoch - 1][i], 4));
    disposeModel(model);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('keeps the best epoch by the objective it is given (here the highest training loss: the first epoch)', async () => {
    const model = buildModel(SMALL_CNN, 6);
    const sums: number[][] = [];
    const result = await trainModel({
      model, train: data, trainCount: 256, valCount: 64, epochs: 3, batchSize: 32, objective: { metric: 'loss', direction: 'max' },
      onEpochEnd: async () => { sums.push(weightSums(model)); return 'continue' as const; },
    });
    const worst = result.epochs.reduce((b, e) => (e.loss > b.loss ? e : b));
    expect(worst.epoch).toBe(1); // the loss falls, so a valAccuracy or min choice would pick a later one
    expect(result.best).toEqual(worst);
    weightSums(model).forEach((s, i) => expect(s).toBeCloseTo(sums[0][i], 4));
    disposeModel(model);
  }, 30_000);

  it('stops when onEpochEnd says so', async () => {
    const model = buildModel(SMALL_CNN, 2);
    const seen: EpochMetrics[] = [];
    const result = await trainModel({
      model, train: data, trainCount: 256, valCount: 64, epochs: 5, batchSize: 64,
      onEpochEnd: async (m) => { seen.push(m); return m.epoch === 2 ? 'stop' : 'continue'; },
    });
    expect(result.stopped).toBe(true);
    expect(result.epochs).toEqual(seen);
    expect(seen.map((m) => m.epoch)).toEqual([1, 2]);
    disposeModel(model);
  }, 30_000);

  it('raises a TrainingError when the loss diverges, and an onEpochEnd error as is', async () => {
    const before = tf.memory().numTensors;
    // A linear hidden layer and an absurd step size overflow the weights within a few steps.
    const diverging = buildModel({
      inputShape: [28, 28, 1],
      layers: [{ type: 'flatten' }, { type: 'dense', units: 16, activation: 'linear' }, { type: 'dense', units: 10, activation: 'softmax' }],
      optimizer: { type: 'sgd', learningRate: 1e38, momentum: 0 },
      loss: 'sparseCategoricalCrossentropy',
    }, 3);
    await expect(trainModel({ model: diverging, train: data, trainCount: 512, valCount: 64, epochs: 3, batchSize: 32 }))
      .rejects.toThrow(TrainingError);
    await expect(trainModel({ model: diverging, train: data, trainCount: 512, valCount: 64, epochs: 3, batchSize: 32 }))
      .rejects.toThrow(/training diverged/);
    disposeModel(diverging);

    const model = buildModel(SMALL_CNN, 4);
    const failing = trainModel({
      model, train: data, trainCount: 128, valCount: 32, epochs: 3, batchSize: 64,
      onEpochEnd: () => { throw new Error('search cancelled'); },
    });
    await expect(failing).rejects.toThrow('search cancelled');
    disposeModel(model);
    expect(tf.memory().numTensors).toBe(before);
  }, 30_000);

  it('rejects counts that do not fit the data', async () => {
    const model = buildModel(SMALL_CNN, 5);
    await expect(trainModel({ model, train: data, trainCount: 1990, valCount: 20, epochs: 1, batchSize: 32 }))
      .rejects.toThrow(TrainingError);
    disposeModel(model);
  });
});
