// Whole training steps on the native backend against the cpu backend (initBackend('cpu')), a
// tensor-leak check, and the buffer recycling's one visible promise: arrays handed out by
// dataSync() are never reused.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/training/backend.js';
import { afterEach, expect, it, vi } from 'vitest';
import type { ConcreteLayer, ConcreteModel, OptimizerType } from '../../../src/domain/model-template.js';
import { mulberry32 } from '../../../src/domain/rng.js';
import { buildModel, disposeModel } from '../../../src/training/build-model.js';
import { NATIVE_BACKEND, registerNativeBackend } from '../../../src/training/native/index.js';
import type { NativeBackend } from '../../../src/training/native/native-backend.js';
import { randomValues, stepLosses } from '../helpers.js';
import { describeNative, useNative } from './availability.js';

const BATCH = 8;
const xValues = randomValues(BATCH * 12 * 12, 7).map((v) => (v + 1) / 2);
const yValues = Float32Array.from({ length: BATCH }, (_, i) => i % 10);

const conv = (o: Partial<Extract<ConcreteLayer, { type: 'conv2d' }>> = {}): ConcreteLayer =>
  ({ type: 'conv2d', filters: 6, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu', ...o });
const HEAD: ConcreteLayer[] = [{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }];

/** Our whole layer set: conv, max/avg pooling, batchnorm, dropout, dense. */
const LAYERS: ConcreteLayer[] = [
  conv(), { type: 'batchNormalization', momentum: 0.99, epsilon: 0.001 },
  conv({ filters: 5, strides: 2, padding: 'same' }), { type: 'maxPooling2d', poolSize: 2, strides: 2, padding: 'valid' },
  conv({ filters: 4, kernelSize: 1, padding: 'same', activation: 'tanh' }), { type: 'averagePooling2d', poolSize: 2, strides: 1, padding: 'same' },
  { type: 'flatten' }, { type: 'dense', units: 16, activation: 'relu' }, { type: 'dropout', rate: 0.3 },
  { type: 'dense', units: 12, activation: 'sigmoid' }, { type: 'batchNormalization', momentum: 0.9, epsilon: 0.001 },
  ...HEAD.slice(1),
];

const spec = (layers: ConcreteLayer[], optimizer: OptimizerType): ConcreteModel => ({
  inputShape: [12, 12, 1], layers, loss: 'sparseCategoricalCrossentropy',
  optimizer: { type: optimizer, learningRate: 0.01, momentum: optimizer === 'sgd' ? 0.9 : 0 },
});

/** Losses of `steps` steps from the same seeded weights, with the same dropout masks on every backend. */
async function losses(backend: string, m: ConcreteModel, steps = 3): Promise<number[]> {
  if (backend === NATIVE_BACKEND) await useNative();
  else await initBackend(backend as 'cpu');
  const random = vi.spyOn(Math, 'random').mockImplementation(mulberry32(99)); // tfjs seeds unseeded dropout from Math.random
  const model = buildModel(m, 42);
  const x = tf.tensor4d(xValues, [BATCH, 12, 12, 1]);
  const y = tf.tensor2d(yValues, [BATCH, 1]);
  const out = await stepLosses(model, x, y, steps);
  tf.dispose([x, y]);
  disposeModel(model);
  random.mockRestore();
  return out;
}

const expectClose = (actual: number[], expected: number[], tolerance = 1e-4) =>
  actual.forEach((v, i) => expect(Math.abs(v - expected[i]) / Math.abs(expected[i])).toBeLessThanOrEqual(tolerance));

afterEach(() => vi.restoreAllMocks());

describeNative('training steps on the native backend match cpu', () => {
  it('4 Adam steps of a small conv model (conv, pooling, batchnorm, dropout, dense) give the same losses', async () => {
    const m = spec(LAYERS, 'adam');
    const expected = await losses('cpu', m, 4);
    await useNative();
    const fused = vi.spyOn((tf.backend() as NativeBackend).addon, 'adam');
    expectClose(await losses(NATIVE_BACKEND, m, 4), expected);
    expect(fused).toHaveBeenCalled(); // the fused Adam update, not tfjs' op-by-op one
    expect(expected[3]).toBeLessThan(expected[0]);
  });

  it.each(['sgd', 'rmsprop'] as const)('%s steps give the same losses', async (optimizer) => {
    const m = spec([conv(), conv({ strides: 2, padding: 'same' }), { type: 'maxPooling2d', poolSize: 2, strides: 2, padding: 'same' }, ...HEAD], optimizer);
    expectClose(await losses(NATIVE_BACKEND, m), await losses('cpu', m));
  });

  it('leaks no tensors across trainOnBatch', async () => {
    await useNative();
    const model = buildModel(spec(LAYERS, 'adam'), 1);
    const x = tf.tensor4d(xValues, [BATCH, 12, 12, 1]);
    const y = tf.tensor2d(yValues, [BATCH, 1]);
    await model.trainOnBatch(x, y); // creates the optimizer's state
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await model.trainOnBatch(x, y);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    disposeModel(model);
  });

  it('never reuses an array dataSync() handed out, and recycles the others', async () => {
    await useNative();
    const a = tf.randomUniform([1000]);
    const b = tf.add(a, 1); // native: a recyclable buffer
    const kept = b.dataSync();
    const copy = Float32Array.from(kept);
    b.dispose();
    for (let i = 0; i < 5; i++) tf.dispose(tf.mul(a, i)); // same length: would reuse b's array
    expect(kept).toEqual(copy);
    const c = tf.add(a, 2);
    const backend = tf.backend() as NativeBackend;
    const cBuffer = backend.values(c).buffer;
    c.dispose();
    const d = tf.add(a, 3);
    expect(backend.values(d).buffer).toBe(cBuffer);
    expect(d.dataSync()[0]).toBeCloseTo(a.dataSync()[0] + 3, 5);
    tf.dispose([a, d]);
  });

  it('registration is idempotent', async () => {
    registerNativeBackend({ threads: 1 });
    const conv2d = tf.getKernel('Conv2D', NATIVE_BACKEND);
    registerNativeBackend({ threads: 2 });
    expect(tf.getKernel('Conv2D', NATIVE_BACKEND)).toBe(conv2d);
  });
});
