// The native direct training step against tfjs' own train function on the same backend: the
// same kernels in the same order, so the same weights and logs bit for bit, over full and
// partial batches, with each optimizer and in bf16; models it does not cover keep tfjs' path;
// nothing leaks.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { ConcreteLayer, ConcreteModel, OptimizerType } from '../../../src/domain/model-template.js';
import { buildModel, disposeModel } from '../../../src/training/build-model.js';
import { setDirectSteps } from '../../../src/training/direct-step-route.js';
import { nativeDirectStep } from '../../../src/training/native/direct-step.js';
import { AMX_BF16_POLICY, AVX512_BF16_POLICY, EVERY_KERNEL_BF16, type Bf16Policy } from '../../../src/training/native/bf16-policy.js';
import type { NativeBackend } from '../../../src/training/native/native-backend.js';
import { NATIVE_BACKEND } from '../../../src/training/native/index.js';
import { setNativePrecision } from '../../../src/training/native/precision.js';
import { randomValues } from '../helpers.js';
import { describeNative, describeNativeBf16, useNative } from './availability.js';

const conv = (o: Partial<Extract<ConcreteLayer, { type: 'conv2d' }>> = {}): ConcreteLayer =>
  ({ type: 'conv2d', filters: 6, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu', ...o });
const dense = (units: number, activation: 'relu' | 'linear' | 'softmax' | 'sigmoid'): ConcreteLayer => ({ type: 'dense', units, activation });
const FLAT: ConcreteLayer = { type: 'flatten' };

/** The notebook's shape, small. */
const NOTEBOOK_LIKE = [conv(), conv({ filters: 4, kernelSize: 5 }), FLAT, dense(16, 'relu'), dense(10, 'softmax')];
const COVERED: Record<string, ConcreteLayer[]> = {
  'conv ReLU, conv ReLU, flatten, dense ReLU, softmax': NOTEBOOK_LIKE,
  'linear conv (stride 2, same), conv ReLU (same), linear dense, softmax': [
    conv({ activation: 'linear', strides: 2, padding: 'same' }), conv({ filters: 5, padding: 'same' }), FLAT, dense(8, 'linear'), dense(10, 'softmax'),
  ],
  'flatten and softmax only': [FLAT, dense(10, 'softmax')],
  'conv ReLU, max pooling (valid), conv ReLU, max pooling (same, stride 1), dense ReLU, softmax': [
    conv(), { type: 'maxPooling2d', poolSize: 2, strides: 2, padding: 'valid' }, conv({ filters: 5 }),
    { type: 'maxPooling2d', poolSize: 2, strides: 1, padding: 'same' }, FLAT, dense(8, 'relu'), dense(10, 'softmax'),
  ],
};

const spec = (layers: ConcreteLayer[], optimizer: OptimizerType = 'adam'): ConcreteModel => ({
  inputShape: [12, 12, 1], layers, loss: 'sparseCategoricalCrossentropy',
  optimizer: { type: optimizer, learningRate: 0.01, momentum: optimizer === 'sgd' ? 0.9 : 0 },
});

const batch = (n: number, seed: number) => ({
  x: tf.tensor4d(randomValues(n * 144, seed).map((v) => (v + 1) / 2), [n, 12, 12, 1]),
  y: tf.tensor2d(Float32Array.from({ length: n }, (_, i) => (i * 3 + seed) % 10), [n, 1]),
});

interface Run { weights: Float32Array[]; logs: number[][]; minimized: number }

/** Four steps (batches of 8, 8, 5, 8) from the same seeded weights, through the direct step or tfjs' train function. */
async function train(m: ConcreteModel, direct: boolean): Promise<Run> {
  await useNative();
  setDirectSteps(direct);
  const model = buildModel(m, 42);
  const minimize = vi.spyOn(model.optimizer, 'minimize');
  const logs: number[][] = [];
  for (const [n, seed] of [[8, 1], [8, 2], [5, 3], [8, 4]]) {
    const { x, y } = batch(n, seed);
    logs.push((await model.trainOnBatch(x, y)) as number[]);
    tf.dispose([x, y]);
  }
  const weights = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
  const minimized = minimize.mock.calls.length;
  disposeModel(model);
  return { weights, logs, minimized };
}

async function expectSameAsTfjs(m: ConcreteModel): Promise<void> {
  const tfjs = await train(m, false);
  const direct = await train(m, true);
  expect(tfjs.minimized).toBe(4); // tfjs' path: the optimizer's minimize over the tape
  expect(direct.minimized).toBe(0); // the direct step: gradients handed to applyGradients
  expect(direct.logs).toEqual(tfjs.logs);
  expect(direct.weights.length).toBe(tfjs.weights.length);
  direct.weights.forEach((w, i) => expect(Array.from(w), `weight ${i}`).toEqual(Array.from(tfjs.weights[i])));
  expect(tfjs.logs[3][0]).not.toBe(tfjs.logs[0][0]); // it trained
}

afterEach(() => {
  setDirectSteps(true);
  vi.restoreAllMocks();
});

describeNative('the direct training step on native', () => {
  it.each(Object.entries(COVERED))('gives the same weights and logs as tfjs\' train function: %s', async (_, layers) => {
    await expectSameAsTfjs(spec(layers));
  });

  it.each(['sgd', 'rmsprop'] as const)('and with %s', async (optimizer) => {
    await expectSameAsTfjs(spec(NOTEBOOK_LIKE, optimizer));
  });

  it('gives the same epochs through fit (validation, a partial last batch)', async () => {
    const history = async (direct: boolean) => {
      await useNative();
      setDirectSteps(direct);
      const model = buildModel(spec(NOTEBOOK_LIKE), 7);
      const { x, y } = batch(20, 5);
      const val = batch(6, 6);
      const h = await model.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false, validationData: [val.x, val.y], verbose: 0 });
      tf.dispose([x, y, val.x, val.y]);
      disposeModel(model);
      return h.history;
    };
    const tfjs = await history(false);
    expect(Object.keys(tfjs).sort()).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
    expect(await history(true)).toEqual(tfjs);
  });

  it.each([
    ['dropout', [conv(), FLAT, { type: 'dropout', rate: 0.5 }, dense(10, 'softmax')]],
    ['average pooling', [conv(), { type: 'averagePooling2d', poolSize: 2, strides: 2, padding: 'valid' }, FLAT, dense(10, 'softmax')]],
    ['batch normalization', [conv(), { type: 'batchNormalization', momentum: 0.99, epsilon: 0.001 }, FLAT, dense(10, 'softmax')]],
    ['a tanh conv', [conv({ activation: 'tanh' }), FLAT, dense(10, 'softmax')]],
    ['a sigmoid dense', [FLAT, dense(8, 'sigmoid'), dense(10, 'softmax')]],
    ['no softmax head', [FLAT, dense(10, 'relu')]],
    ['a dense layer over images', [dense(8, 'relu'), FLAT, dense(10, 'softmax')]],
  ] as [string, ConcreteLayer[]][])('leaves a model with %s to tfjs', async (_, layers) => {
    await useNative();
    const model = buildModel(spec(layers), 1);
    expect(nativeDirectStep(model)).toBeUndefined();
    const minimize = vi.spyOn(model.optimizer, 'minimize');
    const { x, y } = batch(4, 1);
    const [loss] = (await model.trainOnBatch(x, y)) as number[];
    expect(Number.isFinite(loss)).toBe(true);
    expect(minimize).toHaveBeenCalledTimes(1);
    tf.dispose([x, y]);
    disposeModel(model);
  });

  it('leaks no tensors or backend records across steps', async () => {
    await useNative();
    const model = buildModel(spec(NOTEBOOK_LIKE), 1);
    const { x, y } = batch(8, 1);
    await model.trainOnBatch(x, y); // creates the optimizer's state
    const backend = tf.backend() as NativeBackend;
    const before = [tf.memory().numTensors, backend.numDataIds()];
    for (let i = 0; i < 3; i++) await model.trainOnBatch(x, y);
    expect([tf.memory().numTensors, backend.numDataIds()]).toEqual(before);
    tf.dispose([x, y]);
    disposeModel(model);
  });
});

describeNativeBf16('the direct training step on native in bf16', () => {
  let policy: Bf16Policy;
  beforeEach(async () => {
    await useNative();
    policy = { ...(tf.backend() as NativeBackend).bf16Policy };
  });
  afterEach(() => {
    (tf.backend() as NativeBackend).bf16Policy = policy;
    setNativePrecision(NATIVE_BACKEND, 'fp32');
  });

  // Wide enough layers for the bf16 policies to pick bf16 kernels (bf16-policy.ts).
  const WIDE = [conv({ filters: 32 }), conv({ filters: 32 }), FLAT, dense(32, 'relu'), dense(10, 'softmax')];
  const WIDE_MODELS: Record<string, ConcreteLayer[]> = {
    'conv, conv, dense, softmax': WIDE,
    'conv, max pooling, conv, softmax': [conv({ filters: 32 }), { type: 'maxPooling2d', poolSize: 2, strides: 2, padding: 'valid' }, conv({ filters: 16 }), FLAT, dense(10, 'softmax')],
  };
  const POLICIES = { 'this CPU\'s': undefined, 'AMX\'s': AMX_BF16_POLICY, 'AVX512_BF16\'s': AVX512_BF16_POLICY, 'every kernel in bf16': EVERY_KERNEL_BF16 };
  const cases = Object.entries(POLICIES).flatMap(([p, rule]) => Object.entries(WIDE_MODELS).map(([m, layers]) => [`${m}, ${p} policy`, rule, layers] as const));

  it.each(cases)('gives the same weights and logs as tfjs\' train function: %s', async (_, rule, layers) => {
    setNativePrecision(NATIVE_BACKEND, 'bf16');
    if (rule) (tf.backend() as NativeBackend).bf16Policy = { ...rule };
    await expectSameAsTfjs(spec(layers));
  });

  it('keeps in bf16 only what bf16 kernels read, and writes the bf16 copies where they are made', async () => {
    setNativePrecision(NATIVE_BACKEND, 'bf16');
    const backend = tf.backend() as NativeBackend;
    backend.bf16Policy = { ...EVERY_KERNEL_BF16 };
    const model = buildModel(spec(WIDE), 3);
    const { x, y } = batch(8, 1);
    await model.trainOnBatch(x, y); // the first step converts the dense kernels once
    const forward = vi.spyOn(backend.addon, 'conv2dForwardBf16');
    const reluGrads = vi.spyOn(backend.addon, 'reluGradMixed');
    const toBf16 = vi.spyOn(backend.addon, 'toBf16');
    const adam = vi.spyOn(backend.addon, 'adam');
    const next = batch(8, 2);
    await model.trainOnBatch(next.x, next.y);
    // Both conv outputs straight to bf16 (the second conv and the dense layer read only bf16), both
    // ReLU gradients too; the dense kernels' copies from Adam's pass of the step before. Converted
    // still: the images, the dense layer's output, the head's output gradient and the dense layer's.
    expect(forward.mock.calls.map((c) => c[3].constructor.name)).toEqual(['Uint16Array', 'Uint16Array']);
    expect(reluGrads.mock.calls.map((c) => [c[1].constructor.name, c[2].constructor.name])).toEqual([['Uint16Array', 'Uint16Array'], ['Uint16Array', 'Uint16Array']]);
    expect(toBf16.mock.calls.map((c) => c[0].length)).toEqual([8 * 144, 8 * 32, 8 * 10, 8 * 32]);
    // Adam's copies: the dense layer's kernel and the head's (conv filters are reordered from float32, biases added in float32).
    expect(adam.mock.calls.filter((c) => c[8]).map((c) => c[0].length).sort((p, q) => p - q)).toEqual([32 * 10, 8 * 8 * 32 * 32]);
    tf.dispose([x, y, next.x, next.y]);
    disposeModel(model);
  });
});
