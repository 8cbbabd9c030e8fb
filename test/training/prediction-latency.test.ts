// The `latency_ms` objective's measurement, through the training engine, on each CPU backend this
// host runs: a tiny real model's artifact, timed as the service serves it. Timings are not
// compared across runs (a shared host's load moves them); what must hold is that the answer is a
// positive finite median and the measurement leaves no tensor behind.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BuiltinDatasets } from '../../src/datasets/builtin.js';
import { FASHION_MNIST_DIR } from '../../src/datasets/fashion-mnist.js';
import type { ModelArtifact } from '../../src/domain/model-artifact.js';
import type { ConcreteModel } from '../../src/domain/model-template.js';
import { modelToArtifact } from '../../src/training/artifact.js';
import { initBackend, type BackendName } from '../../src/training/backend.js';
import { buildModel, disposeModel } from '../../src/training/build-model.js';
import { TfjsTrainingEngine } from '../../src/training/engine.js';
import { NATIVE_BACKEND, nativeUnavailableReason } from '../../src/training/native/index.js';
import { median } from '../../src/domain/early-stopping.js';
import { predictionLatencyMs } from '../../src/training/prediction-latency.js';
import { requiredBy, requireOrSkip } from '../helpers/requirements.js';
import { useNative } from './native/availability.js';

const TINY: ConcreteModel = {
  inputShape: [28, 28, 1],
  layers: [
    { type: 'conv2d', filters: 4, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu' },
    { type: 'flatten' },
    { type: 'dense', units: 8, activation: 'relu' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
  optimizer: { type: 'adam', learningRate: 3e-3, momentum: 0 },
  loss: 'sparseCategoricalCrossentropy',
};

async function tinyArtifact(): Promise<ModelArtifact> {
  const model = buildModel(TINY, 1);
  try {
    return await modelToArtifact(model);
  } finally {
    disposeModel(model);
  }
}

describe('median', () => {
  it('is the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([0.5])).toBe(0.5);
    // One slow call among many does not move it (a mean of these would be 10.9).
    expect(median([1, 1.1, 0.9, 1, 100])).toBe(1);
  });
});

const BACKENDS: [BackendName, boolean][] = [
  ['cpu', true],
  ['wasm', true],
  [NATIVE_BACKEND, requireOrSkip('the native backend', nativeUnavailableReason(), requiredBy('BACKENDS', 'native'))],
];

for (const [backend, runs] of BACKENDS) {
  describe.skipIf(!runs)(`the prediction latency on '${backend}'`, () => {
    let artifact: ModelArtifact;
    beforeAll(async () => {
      if (backend === NATIVE_BACKEND) await useNative();
      else await initBackend(backend, { threads: 1 });
      artifact = await tinyArtifact();
    }, 60_000);

    it("is the engine's positive finite median of single-image passes, leaving no tensor behind", async () => {
      const engine = new TfjsTrainingEngine(backend, new BuiltinDatasets(FASHION_MNIST_DIR));
      expect(tf.getBackend()).toBe(backend);
      const tensors = tf.memory().numTensors;
      const ms = await engine.predictionLatency(artifact, TINY.inputShape);
      expect(Number.isFinite(ms)).toBe(true);
      expect(ms).toBeGreaterThan(0);
      // A 28x28 image through a 4-filter conv and two small dense layers: far below a second on any CPU backend.
      expect(ms).toBeLessThan(1_000);
      expect(tf.memory().numTensors).toBe(tensors);
    }, 60_000);

    // Registered on one backend only: it is about the counts, not the backend.
    if (backend === 'cpu') it('times the calls it is asked to, and refuses none', async () => {
      expect(await predictionLatencyMs(artifact, TINY.inputShape, { warmupCalls: 0, timedCalls: 1 })).toBeGreaterThan(0);
      await expect(predictionLatencyMs(artifact, TINY.inputShape, { timedCalls: 0 })).rejects.toThrow(/at least 1/);
    }, 60_000);
  });
}
