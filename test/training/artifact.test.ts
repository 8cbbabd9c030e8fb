import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/training/backend.js';
import { loadArtifact, modelToArtifact } from '../../src/training/artifact.js';
import { buildModel } from '../../src/training/build-model.js';
import { randomValues } from './helpers.js';

beforeAll(async () => { await initBackend('wasm'); });

describe('model artifacts', () => {
  it('round-trips a trained model with identical predictions', async () => {
    const model = buildModel({
      inputShape: [10, 10, 1],
      layers: [
        { type: 'conv2d', filters: 4, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu' },
        { type: 'batchNormalization', momentum: 0.9, epsilon: 0.001 },
        { type: 'maxPooling2d', poolSize: 2, strides: 2, padding: 'valid' },
        { type: 'flatten' },
        { type: 'dropout', rate: 0.2 },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
      optimizer: { type: 'adam', learningRate: 0.01, momentum: 0 },
      loss: 'sparseCategoricalCrossentropy',
    }, 3);
    const x = tf.tensor4d(randomValues(16 * 100, 1), [16, 10, 10, 1]);
    const y = tf.tensor2d(Array.from({ length: 16 }, (_, i) => i % 10), [16, 1]);
    await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 }); // moves BN statistics off their init

    const artifact = await modelToArtifact(model);
    const params = model.weights.reduce((n, w) => n + w.shape.reduce((p, d) => p! * d!, 1)!, 0);
    expect(artifact.weightData.byteLength).toBe(4 * params);
    // What a store would do: JSON for the topology and specs, raw bytes for the weights.
    const stored = {
      modelTopology: JSON.parse(JSON.stringify(artifact.modelTopology)),
      weightSpecs: JSON.parse(JSON.stringify(artifact.weightSpecs)),
      weightData: Buffer.from(artifact.weightData), // a Buffer view, as a DB driver returns
    };
    const loaded = await loadArtifact(stored);
    const expected = (model.predict(x) as tf.Tensor).dataSync();
    const actual = (loaded.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(actual)).toEqual(Array.from(expected));
    tf.dispose([x, y]);
    model.dispose();
    loaded.dispose();
  });
});
