// Every layer type the template language offers x every training backend available here: the
// gradients of a small model match the cpu backend running tfjs' own kernels (itself checked
// against finite differences) to 1e-4 relative error, three optimizer steps give the same
// losses, and training leaks no tensor from one epoch to the next.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConcreteLayer, ConcreteModel } from '../../src/domain/model-template.js';
import { initBackend, type BackendName } from '../../src/training/backend.js';
import { buildModel, disposeModel } from '../../src/training/build-model.js';
import { avgPoolGradConfig } from '../../src/training/kernels/avg-pool-grad.js';
import { registerTrainingKernels, unregisterTrainingKernels } from '../../src/training/kernels/index.js';
import { backendAvailability } from './backend-availability.js';
import { randomValues, stepLosses } from './helpers.js';

const conv = (o: Partial<Extract<ConcreteLayer, { type: 'conv2d' }>> = {}): ConcreteLayer =>
  ({ type: 'conv2d', filters: 4, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu', ...o });
const HEAD: ConcreteLayer[] = [{ type: 'flatten' }, { type: 'dense', units: 5, activation: 'softmax' }];

/** One small model per layer type (and every conv geometry and activation), on 10x10x2 inputs. */
const MODELS: Record<string, ConcreteLayer[]> = {
  'conv2d k3 valid s1, k5 same s2, k3 same s2': [
    conv({ filters: 3 }), conv({ kernelSize: 5, strides: 2, padding: 'same' }), conv({ strides: 2, padding: 'same', activation: 'linear' }), ...HEAD,
  ],
  'conv2d k2 valid s2': [conv({ kernelSize: 2, strides: 2 }), ...HEAD],
  maxPooling2d: [conv(), { type: 'maxPooling2d', poolSize: 2, strides: 2, padding: 'valid' }, { type: 'maxPooling2d', poolSize: 3, strides: 1, padding: 'same' }, ...HEAD],
  averagePooling2d: [conv(), { type: 'averagePooling2d', poolSize: 2, strides: 2, padding: 'valid' }, { type: 'averagePooling2d', poolSize: 3, strides: 1, padding: 'same' }, ...HEAD],
  'dense, flatten': [{ type: 'flatten' }, { type: 'dense', units: 7, activation: 'tanh' }, { type: 'dense', units: 6, activation: 'relu' }, HEAD[1]],
  batchNormalization: [
    conv(), { type: 'batchNormalization', momentum: 0.99, epsilon: 0.001 }, { type: 'flatten' },
    { type: 'dense', units: 6, activation: 'elu' }, { type: 'batchNormalization', momentum: 0.9, epsilon: 0.001 }, HEAD[1],
  ],
  dropout: [conv(), { type: 'dropout', rate: 0.3 }, { type: 'flatten' }, { type: 'dropout', rate: 0.5 }, HEAD[1]],
  activations: [conv({ activation: 'selu' }), conv({ activation: 'softplus' }), conv({ activation: 'sigmoid' }), ...HEAD],
};

const BATCH = 4;
const INPUT = [10, 10, 2];
const xValues = randomValues(BATCH * 200, 7).map((v) => (v + 1) / 2);
const yValues = Float32Array.from({ length: BATCH }, (_, i) => i % 5);
const spec = (layers: ConcreteLayer[]): ConcreteModel => ({
  inputShape: INPUT, layers, loss: 'sparseCategoricalCrossentropy', optimizer: { type: 'adam', learningRate: 0.01, momentum: 0 },
});

/** Same initial weights on every backend; dropout masks seeded so they are the same too. */
function makeModel(m: ConcreteModel, weights?: Float32Array[]): tf.LayersModel {
  const model = buildModel(m, 42);
  // Trials draw a fresh mask per step; comparing backends needs the same one, so the test seeds it.
  for (const layer of model.layers) if (layer.getClassName() === 'Dropout') Object.assign(layer, { seed: 11 });
  if (weights) model.setWeights(weights.map((w, i) => tf.tensor(w, model.getWeights()[i].shape)));
  return model;
}

const batch = () => ({ x: tf.tensor4d(xValues, [BATCH, ...INPUT] as [number, number, number, number]), y: tf.tensor2d(yValues, [BATCH, 1]) });
/** Sparse categorical cross-entropy as Keras computes it (probabilities clipped to [1e-7, 1 - 1e-7]). */
const lossOf = (model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): tf.Scalar => {
  const p = tf.clipByValue(model.apply(x, { training: true }) as tf.Tensor, 1e-7, 1 - 1e-7);
  const labels = tf.oneHot(tf.cast(tf.reshape(y, [-1]), 'int32'), p.shape[1]!);
  return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.log(p)), -1))) as tf.Scalar;
};

/** Gradients of the loss for each trainable weight, in the model's order. */
async function gradients(model: tf.LayersModel): Promise<Float32Array[]> {
  const { x, y } = batch();
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => lossOf(model, x, y), vars);
  const out = await Promise.all(vars.map((v) => grads[v.name].data() as Promise<Float32Array>));
  tf.dispose([x, y, value, ...Object.values(grads)]);
  return out;
}

async function adamLosses(model: tf.LayersModel, steps = 3): Promise<number[]> {
  const { x, y } = batch();
  const losses = await stepLosses(model, x, y, steps);
  tf.dispose([x, y]);
  return losses;
}

/** max |a - b| / max |b| over one weight's gradient. */
function relError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

interface Reference { weights: Float32Array[]; grads: Float32Array[]; losses: number[] }
const references = new Map<string, Reference>();

/**
 * Runs `fn` on the reference: the cpu backend with tfjs' own kernels (our rewrites taken out),
 * except AvgPoolGrad, which tfjs gets wrong next to 'same' padding (see the test below), unless
 * `ownAvgPoolGrad`.
 */
async function onReference<T>(fn: () => Promise<T>, ownAvgPoolGrad = false): Promise<T> {
  await initBackend('cpu');
  unregisterTrainingKernels('cpu');
  const own = tf.getKernel('AvgPoolGrad', 'cpu')!;
  if (!ownAvgPoolGrad) {
    tf.unregisterKernel('AvgPoolGrad', 'cpu');
    tf.registerKernel(avgPoolGradConfig('cpu', own));
  }
  try {
    return await fn();
  } finally {
    if (!ownAvgPoolGrad) {
      tf.unregisterKernel('AvgPoolGrad', 'cpu');
      tf.registerKernel(own);
    }
    registerTrainingKernels('cpu');
  }
}

beforeAll(async () => {
  await onReference(async () => {
    for (const [name, layers] of Object.entries(MODELS)) {
      const model = makeModel(spec(layers));
      const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
      references.set(name, { weights, grads: await gradients(model), losses: await adamLosses(model) });
      disposeModel(model);
    }
  });
}, 120_000);

// Finite differences need smooth functions: a kink crossed by a perturbation is not an error of
// the gradient. relu has one at 0, and so has selu (its slope is 1.05 on the right, 1.76 on the
// left); a pre-activation within eps of 0 (which weights drawn from another seed gave) fails the
// check. So it runs each model with tanh for relu and elu (smooth at 0) for selu; the backends'
// selu gradients are still compared with the reference's below.
const SMOOTHER: Partial<Record<string, string>> = { relu: 'tanh', selu: 'elu' };
const smooth = (layers: ConcreteLayer[]): ConcreteLayer[] =>
  layers.map((l) => ('activation' in l && SMOOTHER[l.activation] ? { ...l, activation: SMOOTHER[l.activation] } as ConcreteLayer : l));

/** The largest |numeric - analytic| gradient over a few weights of each variable, as a share of the allowed error. */
async function finiteDifferenceError(layers: ConcreteLayer[]): Promise<number> {
  const model = makeModel(spec(smooth(layers)));
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  const grads = await gradients(model);
  const trainableIndex = model.trainableWeights.map((t) => model.weights.findIndex((w) => w.name === t.name));
  const { x, y } = batch();
  const lossAt = (w: Float32Array[]) => {
    model.setWeights(w.map((v, i) => tf.tensor(v, model.weights[i].shape as number[])));
    return tf.tidy(() => lossOf(model, x, y).dataSync()[0]);
  };
  const eps = 1e-3;
  let worst = 0;
  grads.forEach((g, t) => {
    const v = trainableIndex[t];
    // float32 central differences: ~1e-4 absolute noise at this eps, so 1% of the weight's scale.
    const allowed = 0.01 * Math.max(...g.map(Math.abs)) + 2e-4;
    for (const i of [0, Math.floor(g.length / 2), g.length - 1]) {
      const plus = weights.map((w) => w.slice());
      const minus = weights.map((w) => w.slice());
      plus[v][i] += eps;
      minus[v][i] -= eps;
      const numeric = (lossAt(plus) - lossAt(minus)) / (2 * eps);
      worst = Math.max(worst, Math.abs(numeric - g[i]) / allowed);
    }
  });
  tf.dispose([x, y]);
  disposeModel(model);
  return worst;
}

describe('the cpu reference agrees with finite differences', () => {
  it.each(Object.keys(MODELS))('%s', async (name) => {
    expect(await onReference(() => finiteDifferenceError(MODELS[name]))).toBeLessThan(1);
  });

  it("needs our AvgPoolGrad: tfjs' own is wrong next to 'same' padding (drop the fix when this fails)", async () => {
    const samePadded: ConcreteLayer[] = [conv({ activation: 'tanh' }), { type: 'averagePooling2d', poolSize: 3, strides: 1, padding: 'same' }, ...HEAD];
    expect(await onReference(() => finiteDifferenceError(samePadded), true)).toBeGreaterThan(10);
    expect(await onReference(() => finiteDifferenceError(samePadded))).toBeLessThan(1);
  });
});

const CANDIDATES: BackendName[] = ['cpu', 'wasm', 'native', 'webgpu'];
const availability = await backendAvailability(CANDIDATES);

describe.each(CANDIDATES)('on %s', (backend) => {
  describe.skipIf(!availability.get(backend))('training', () => {
    beforeAll(async () => { await initBackend(backend); });
    afterAll(async () => { await initBackend('cpu'); });

    it.each(Object.keys(MODELS))('%s: gradients and 3 Adam steps match the reference', async (name) => {
      const ref = references.get(name)!;
      const model = makeModel(spec(MODELS[name]), ref.weights);
      const grads = await gradients(model);
      grads.forEach((g, v) => expect(relError(g, ref.grads[v]), `${model.trainableWeights[v].name}`).toBeLessThan(1e-4));
      const losses = await adamLosses(model);
      losses.forEach((l, i) => expect(Math.abs(l - ref.losses[i]) / Math.abs(ref.losses[i])).toBeLessThan(1e-4));
      disposeModel(model);
    });

    it('leaks no tensor across epochs', async () => {
      const model = makeModel(spec(MODELS.batchNormalization));
      const x = tf.tensor4d(randomValues(32 * 200, 3), [32, ...INPUT] as [number, number, number, number]);
      const y = tf.tensor2d(Float32Array.from({ length: 32 }, (_, i) => i % 5), [32, 1]);
      const counts: number[] = [];
      await model.fit(x, y, { epochs: 3, batchSize: 8, validationSplit: 0.25, callbacks: { onEpochEnd: async () => { counts.push(tf.memory().numTensors); } } });
      expect(counts).toEqual([counts[0], counts[0], counts[0]]);
      tf.dispose([x, y]);
      disposeModel(model);
    });
  });
});
