import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/training/backend.js';
import { buildModel } from '../../src/training/build-model.js';
import { NOTEBOOK_MODEL } from './helpers.js';

beforeAll(async () => { await initBackend('wasm'); });

describe('buildModel', () => {
  it('matches the Keras parameter count of the notebook model (1,355,978)', () => {
    const model = buildModel(NOTEBOOK_MODEL, 1);
    expect(model.countParams()).toBe(1_355_978);
    expect(model.outputs[0].shape).toEqual([null, 10]);
    model.dispose();
  });

  it('uses glorot_uniform kernels, zero biases, and the seed', () => {
    const a = buildModel(NOTEBOOK_MODEL, 7);
    const b = buildModel(NOTEBOOK_MODEL, 7);
    const [kernel, bias] = a.layers[0].getWeights();
    const limit = Math.sqrt(6 / (3 * 3 * 1 + 3 * 3 * 64)); // glorot: fan_in + fan_out
    expect(tf.max(tf.abs(kernel)).dataSync()[0]).toBeLessThanOrEqual(limit);
    expect(tf.max(tf.abs(kernel)).dataSync()[0]).toBeGreaterThan(limit * 0.9);
    expect(Array.from(bias.dataSync()).every((v) => v === 0)).toBe(true);
    expect(tf.equal(kernel, b.layers[0].getWeights()[0]).all().dataSync()[0]).toBe(1);
    // Different layers draw different weights from one seed.
    const second = a.layers[1].getWeights()[0].dataSync();
    expect(second[0]).not.toBe(kernel.dataSync()[0]);
    a.dispose();
    b.dispose();
  });

  it('builds every layer type and compiles each optimizer', () => {
    for (const [type, momentum, className] of [['adam', 0, 'Adam'], ['sgd', 0, 'SGD'], ['sgd', 0.9, 'Momentum'], ['rmsprop', 0, 'RMSProp']] as const) {
      const model = buildModel({
        inputShape: [12, 12, 1],
        layers: [
          { type: 'conv2d', filters: 4, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu' },
          { type: 'batchNormalization', momentum: 0.99, epsilon: 0.001 },
          { type: 'maxPooling2d', poolSize: 2, strides: 2, padding: 'valid' },
          { type: 'averagePooling2d', poolSize: 2, strides: 1, padding: 'same' },
          { type: 'dropout', rate: 0.25 },
          { type: 'flatten' },
          { type: 'dense', units: 10, activation: 'softmax' },
        ],
        optimizer: { type, learningRate: 0.01, momentum },
        loss: 'sparseCategoricalCrossentropy',
      });
      expect(model.layers.map((l) => l.getClassName())).toEqual(
        ['Conv2D', 'BatchNormalization', 'MaxPooling2D', 'AveragePooling2D', 'Dropout', 'Flatten', 'Dense']);
      expect(model.outputs[0].shape).toEqual([null, 10]);
      expect(model.optimizer.getClassName()).toBe(className);
      expect(model.metricsNames).toEqual(['loss', 'acc']);
      model.dispose();
    }
  });
});
