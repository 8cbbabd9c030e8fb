// The gradient matrix's models, inputs and float32 reference (the cpu backend running tfjs' own
// kernels), shared by gradient-matrix.test.ts (every backend in float32) and
// gradient-matrix-bf16.test.ts (native in bf16 mixed precision).
import * as tf from '@tensorflow/tfjs';
import type { ConcreteLayer, ConcreteModel } from '../../src/domain/model-template.js';
import { initBackend } from '../../src/training/backend.js';
import { buildModel, disposeModel } from '../../src/training/build-model.js';
import { avgPoolGradConfig } from '../../src/training/kernels/avg-pool-grad.js';
import { registerTrainingKernels, unregisterTrainingKernels } from '../../src/training/kernels/index.js';
import { randomValues, stepLosses } from './helpers.js';

export const conv = (o: Partial<Extract<ConcreteLayer, { type: 'conv2d' }>> = {}): ConcreteLayer =>
  ({ type: 'conv2d', filters: 4, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu', ...o });
export const HEAD: ConcreteLayer[] = [{ type: 'flatten' }, { type: 'dense', units: 5, activation: 'softmax' }];

/** One small model per layer type (and every conv geometry and activation), on 10x10x2 inputs. */
export const MODELS: Record<string, ConcreteLayer[]> = {
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

export const BATCH = 4;
export const INPUT = [10, 10, 2];
const xValues = randomValues(BATCH * 200, 7).map((v) => (v + 1) / 2);
const yValues = Float32Array.from({ length: BATCH }, (_, i) => i % 5);
export const spec = (layers: ConcreteLayer[]): ConcreteModel => ({
  inputShape: INPUT, layers, loss: 'sparseCategoricalCrossentropy', optimizer: { type: 'adam', learningRate: 0.01, momentum: 0 },
});

/** Same initial weights on every backend; dropout masks seeded so they are the same too. */
export function makeModel(m: ConcreteModel, weights?: Float32Array[]): tf.LayersModel {
  const model = buildModel(m, 42);
  // Trials draw a fresh mask per step; comparing backends needs the same one, so the test seeds it.
  for (const layer of model.layers) if (layer.getClassName() === 'Dropout') Object.assign(layer, { seed: 11 });
  if (weights) model.setWeights(weights.map((w, i) => tf.tensor(w, model.getWeights()[i].shape)));
  return model;
}

export const batch = () => ({ x: tf.tensor4d(xValues, [BATCH, ...INPUT] as [number, number, number, number]), y: tf.tensor2d(yValues, [BATCH, 1]) });
/** Sparse categorical cross-entropy as Keras computes it (probabilities clipped to [1e-7, 1 - 1e-7]). */
export const lossOf = (model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): tf.Scalar => {
  const p = tf.clipByValue(model.apply(x, { training: true }) as tf.Tensor, 1e-7, 1 - 1e-7);
  const labels = tf.oneHot(tf.cast(tf.reshape(y, [-1]), 'int32'), p.shape[1]!);
  return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.log(p)), -1))) as tf.Scalar;
};

/** Gradients of the loss for each trainable weight, in the model's order. */
export async function gradients(model: tf.LayersModel): Promise<Float32Array[]> {
  const { x, y } = batch();
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => lossOf(model, x, y), vars);
  const out = await Promise.all(vars.map((v) => grads[v.name].data() as Promise<Float32Array>));
  tf.dispose([x, y, value, ...Object.values(grads)]);
  return out;
}

export async function adamLosses(model: tf.LayersModel, steps = 3): Promise<number[]> {
  const { x, y } = batch();
  const losses = await stepLosses(model, x, y, steps);
  tf.dispose([x, y]);
  return losses;
}

/** max |a - b| / max |b| over one weight's gradient. */
export function relError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

export interface Reference { weights: Float32Array[]; grads: Float32Array[]; losses: number[] }

/**
 * Runs `fn` on the reference: the cpu backend with tfjs' own kernels (our rewrites taken out),
 * except AvgPoolGrad, which tfjs gets wrong next to 'same' padding (see the test below), unless
 * `ownAvgPoolGrad`.
 */
export async function onReference<T>(fn: () => Promise<T>, ownAvgPoolGrad = false): Promise<T> {
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

/** Each model's initial weights, gradients and 3 Adam steps' losses on the reference. */
export async function referenceRuns(): Promise<Map<string, Reference>> {
  const references = new Map<string, Reference>();
  for (const [name, layers] of Object.entries(MODELS)) {
    const model = makeModel(spec(layers));
    const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
    references.set(name, { weights, grads: await gradients(model), losses: await adamLosses(model) });
    disposeModel(model);
  }
  return references;
}
