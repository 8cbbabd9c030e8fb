// Training on the cuda backend. Here (no GPU): the backend refuses to start and says why. Where a
// GPU is: each layer type's gradients and three Adam steps match the cpu backend (strict fp32:
// 1e-4; TF32: 1e-2, see below), a kernel the backend lacks fails naming it, and training keeps
// tensors, device bytes and cudaMalloc calls flat from one epoch to the next.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { ConcreteLayer, ConcreteModel } from '../../../src/domain/model-template.js';
import { BackendUnavailableError } from '../../../src/training/backend-unavailable.js';
import { initBackend } from '../../../src/training/backend.js';
import { buildModel, disposeModel } from '../../../src/training/build-model.js';
import type { CudaBackend } from '../../../src/training/cuda/cuda-backend.js';
import { randomValues, stepLosses } from '../helpers.js';
import { cudaReason, cudaRuns, useCuda } from './availability.js';

const conv = (o: Partial<Extract<ConcreteLayer, { type: 'conv2d' }>> = {}): ConcreteLayer =>
  ({ type: 'conv2d', filters: 4, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu', ...o });
const HEAD: ConcreteLayer[] = [{ type: 'flatten' }, { type: 'dense', units: 5, activation: 'softmax' }];
const MODELS: Record<string, ConcreteLayer[]> = {
  'conv2d k3 valid s1, k5 same s2, k3 same s2': [conv({ filters: 3 }), conv({ kernelSize: 5, strides: 2, padding: 'same' }), conv({ strides: 2, padding: 'same', activation: 'linear' }), ...HEAD],
  'conv2d k2 valid s2': [conv({ kernelSize: 2, strides: 2 }), ...HEAD],
  maxPooling2d: [conv(), { type: 'maxPooling2d', poolSize: 2, strides: 2, padding: 'valid' }, { type: 'maxPooling2d', poolSize: 3, strides: 1, padding: 'same' }, ...HEAD],
  averagePooling2d: [conv(), { type: 'averagePooling2d', poolSize: 2, strides: 2, padding: 'valid' }, { type: 'averagePooling2d', poolSize: 3, strides: 1, padding: 'same' }, ...HEAD],
  'dense, flatten': [{ type: 'flatten' }, { type: 'dense', units: 7, activation: 'tanh' }, { type: 'dense', units: 6, activation: 'relu' }, HEAD[1]],
  batchNormalization: [conv(), { type: 'batchNormalization', momentum: 0.99, epsilon: 0.001 }, { type: 'flatten' }, { type: 'dense', units: 6, activation: 'elu' }, HEAD[1]],
  activations: [conv({ activation: 'selu' }), conv({ activation: 'softplus' }), conv({ activation: 'sigmoid' }), ...HEAD],
};

const BATCH = 4;
const INPUT = [10, 10, 2];
const spec = (layers: ConcreteLayer[]): ConcreteModel => ({
  inputShape: INPUT, layers, loss: 'sparseCategoricalCrossentropy', optimizer: { type: 'adam', learningRate: 0.01, momentum: 0 },
});
const batch = () => ({
  x: tf.tensor4d(randomValues(BATCH * 200, 7).map((v) => (v + 1) / 2), [BATCH, ...INPUT] as [number, number, number, number]),
  y: tf.tensor2d(Float32Array.from({ length: BATCH }, (_, i) => i % 5), [BATCH, 1]),
});

/** Gradients of the Keras loss for each trainable weight, then the losses of 3 Adam steps. */
async function run(layers: ConcreteLayer[], weights?: Float32Array[]): Promise<{ weights: Float32Array[]; grads: Float32Array[]; losses: number[] }> {
  const model = buildModel(spec(layers), 42);
  if (weights) model.setWeights(weights.map((w, i) => tf.tensor(w, model.getWeights()[i].shape)));
  const initial = model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
  const { x, y } = batch();
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => tf.tidy(() => {
    const p = tf.clipByValue(model.apply(x, { training: true }) as tf.Tensor, 1e-7, 1 - 1e-7);
    const labels = tf.oneHot(tf.cast(tf.reshape(y, [-1]), 'int32'), p.shape[1]!);
    return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.log(p)), -1))) as tf.Scalar;
  }), vars);
  const g = vars.map((v) => grads[v.name].dataSync().slice() as Float32Array);
  const losses = await stepLosses(model, x, y, 3);
  tf.dispose([x, y, value, ...Object.values(grads)]);
  disposeModel(model);
  return { weights: initial, grads: g, losses };
}

function relError(a: Float32Array, b: Float32Array): number {
  let diff = 0, scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

if (!cudaRuns) {
  it('refuses to start where it cannot run, saying why', async () => {
    const err = await initBackend('cuda').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as BackendUnavailableError).reason).toBe(cudaReason);
    expect(cudaReason).toMatch(/^(not built: run npm run build:cuda|failed to load |no CUDA device: )/);
  });
} else {
  describe('training on cuda', () => {
    // TF32 keeps 10 of float32's 23 mantissa bits in the products of matmuls and convolutions
    // (unit roundoff 2^-11, about 4.9e-4, against 6e-8); sums of tens to hundreds of such products
    // and three steps of Adam compound it to a few 1e-3 relative to the largest gradient. 1e-2 holds
    // that with margin while still catching a wrong kernel (those are off by 10% or more).
    it.each([[false, 1e-4], [true, 1e-2]] as const)('gradients and 3 Adam steps match the cpu backend for every layer type (TF32 %s, tolerance %s)', async (tf32, tolerance) => {
      for (const [name, layers] of Object.entries(MODELS)) {
        await initBackend('cpu');
        const ref = await run(layers);
        await useCuda(tf32);
        const got = await run(layers, ref.weights);
        got.grads.forEach((g, v) => expect(relError(g, ref.grads[v]), `${name}: weight ${v}`).toBeLessThan(tolerance));
        got.losses.forEach((l, i) => expect(Math.abs(l - ref.losses[i]) / Math.abs(ref.losses[i]), `${name}: step ${i + 1}`).toBeLessThan(tolerance));
      }
    }, 120_000);

    it('fails naming a kernel it does not have (no silent host fall-back)', async () => {
      await useCuda();
      const x = tf.tensor1d([1, 2, 3]);
      expect(() => tf.cumsum(x)).toThrow(/Kernel 'Cumsum' not registered for backend 'cuda'/);
      x.dispose();
    });

    it('keeps tensors, device bytes and cudaMalloc calls flat across epochs', async () => {
      await useCuda();
      const backend = tf.backend() as CudaBackend;
      const model = buildModel(spec(MODELS.batchNormalization), 1);
      const x = tf.tensor4d(randomValues(64 * 200, 3), [64, ...INPUT] as [number, number, number, number]);
      const y = tf.tensor2d(Float32Array.from({ length: 64 }, (_, i) => i % 5), [64, 1]);
      const epoch = async () => { await model.fit(x, y, { epochs: 1, batchSize: 16, validationSplit: 0.25, verbose: 0 }); };
      await epoch();
      const after1 = { tensors: tf.memory().numTensors, bytes: backend.addon.memory().inUse, mallocs: backend.addon.memory().mallocs };
      await epoch();
      await epoch();
      const after3 = { tensors: tf.memory().numTensors, bytes: backend.addon.memory().inUse, mallocs: backend.addon.memory().mallocs };
      expect(after3).toEqual(after1);
      expect((tf.memory() as unknown as { numBytesInGPU: number }).numBytesInGPU).toBe(after3.bytes);
      tf.dispose([x, y]);
      disposeModel(model);
    }, 120_000);
  });
}
