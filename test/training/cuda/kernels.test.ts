// The cuda backend's kernels. Here (no GPU): every kernel that training, prediction and evaluation
// of each template layer type and optimizer call on the cpu backend is one the cuda backend
// registers (it has no fall-back), and the addon's absence is explained. Where a GPU is: each op
// on 'cuda' against the cpu backend, strict fp32, relative error <= 1e-4 (max |a - b| / max |b|).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { ConcreteLayer, ConcreteModel, OptimizerType } from '../../../src/domain/model-template.js';
import { initBackend } from '../../../src/training/backend.js';
import { buildModel, disposeModel } from '../../../src/training/build-model.js';
import { CUDA_NOT_BUILT, probeCudaAddon } from '../../../src/training/cuda/addon.js';
import { CUDA_KERNELS } from '../../../src/training/cuda/index.js';
import { CONV_CASES, randomValues, relativeError } from '../helpers.js';
import { cudaRuns, useCuda } from './availability.js';

const LAYERS: ConcreteLayer[] = [
  { type: 'conv2d', filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'elu' },
  { type: 'conv2d', filters: 4, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu' },
  { type: 'maxPooling2d', poolSize: 2, strides: 2, padding: 'same' },
  { type: 'averagePooling2d', poolSize: 2, strides: 1, padding: 'valid' },
  { type: 'batchNormalization', momentum: 0.99, epsilon: 0.001 },
  { type: 'flatten' },
  { type: 'dense', units: 8, activation: 'selu' },
  { type: 'dropout', rate: 0.3 },
  { type: 'dense', units: 8, activation: 'tanh' },
  { type: 'dense', units: 8, activation: 'sigmoid' },
  { type: 'dense', units: 8, activation: 'softplus' },
  { type: 'dense', units: 8, activation: 'linear' },
  { type: 'dense', units: 10, activation: 'softmax' },
];

/** Kernel names the engine dispatches on the cpu backend while `f` runs. */
async function recordKernels(f: () => Promise<void>): Promise<Set<string>> {
  await initBackend('cpu');
  const seen = new Set<string>();
  const originals = tf.getKernelsForBackend('cpu');
  for (const k of originals) {
    tf.unregisterKernel(k.kernelName, 'cpu');
    tf.registerKernel({ ...k, kernelFunc: ((args: Parameters<tf.KernelFunc>[0]) => { seen.add(k.kernelName); return k.kernelFunc(args); }) as tf.KernelFunc });
  }
  try {
    await f();
  } finally {
    for (const k of originals) {
      tf.unregisterKernel(k.kernelName, 'cpu');
      tf.registerKernel(k);
    }
  }
  return seen;
}

describe('kernel coverage (no GPU needed)', () => {
  it('registers every kernel that training, predict and evaluate of each layer type and optimizer dispatch', async () => {
    const seen = await recordKernels(async () => {
      for (const type of ['adam', 'sgd', 'rmsprop'] as OptimizerType[]) {
        const spec: ConcreteModel = { inputShape: [12, 12, 1], layers: LAYERS, optimizer: { type, learningRate: 1e-3, momentum: 0.9 }, loss: 'sparseCategoricalCrossentropy' };
        const model = buildModel(spec, 1);
        const x = tf.randomUniform([4, 12, 12, 1]);
        const y = tf.tensor2d([1, 2, 3, 4], [4, 1]);
        await model.trainOnBatch(x, y);
        await model.fit(x, y, { epochs: 1, batchSize: 2, validationSplit: 0.5, shuffle: true, verbose: 0 });
        (model.predict(x) as tf.Tensor).dispose();
        tf.dispose(await model.evaluate(x, y, { batchSize: 2 }) as tf.Scalar[]);
        tf.dispose([x, y]);
        disposeModel(model);
      }
    });
    const registered = new Set(CUDA_KERNELS.map((k) => k.name));
    expect([...seen].filter((name) => !registered.has(name))).toEqual([]);
    expect(seen.size).toBeGreaterThan(30);
    expect(CUDA_KERNELS.length).toBe(registered.size); // one kernel per name
  }, 120_000);

  it('says why the addon cannot be used: not built, or not loadable', () => {
    expect(probeCudaAddon(path.join(os.tmpdir(), 'no-such-dir', 'hypertune_cuda.node')).reason).toBe(CUDA_NOT_BUILT);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cuda-addon-'));
    try {
      writeFileSync(path.join(dir, 'hypertune_cuda.node'), 'not a shared library');
      expect(probeCudaAddon(path.join(dir, 'hypertune_cuda.node')).reason).toMatch(/^failed to load .*hypertune_cuda\.node: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** `f`'s output on cpu and on cuda (strict fp32). */
async function onBoth(f: () => tf.Tensor): Promise<[tf.TypedArray, tf.TypedArray, number[], number[]]> {
  await initBackend('cpu');
  const expected = tf.tidy(f);
  const e = expected.dataSync().slice();
  const eShape = expected.shape;
  expected.dispose();
  await useCuda(false);
  const actual = tf.tidy(f);
  const a = actual.dataSync().slice();
  const aShape = actual.shape;
  actual.dispose();
  return [a, e, aShape, eShape];
}

async function expectSame(f: () => tf.Tensor, tolerance = 1e-4): Promise<void> {
  const [a, e, aShape, eShape] = await onBoth(f);
  expect(aShape).toEqual(eShape);
  expect(relativeError({ values: Float32Array.from(a), shape: aShape }, { values: Float32Array.from(e), shape: eShape })).toBeLessThanOrEqual(tolerance);
}

const t = (shape: number[], seed: number) => tf.tensor(randomValues(shape.reduce((p, d) => p * d, 1), seed), shape);

if (cudaRuns) {
  describe('cuda kernels match the cpu backend (strict fp32)', () => {
    const unary: [string, (x: tf.Tensor) => tf.Tensor][] = [
      ['relu', tf.relu], ['relu6', tf.relu6], ['sigmoid', tf.sigmoid], ['tanh', tf.tanh], ['elu', tf.elu], ['selu', tf.selu],
      ['softplus', tf.softplus], ['exp', tf.exp], ['log of |x|', (x) => tf.log(tf.abs(x))], ['sqrt of |x|', (x) => tf.sqrt(tf.abs(x))],
      ['rsqrt', (x) => tf.rsqrt(tf.add(tf.abs(x), 0.5))], ['square', tf.square], ['neg', tf.neg], ['floor', (x) => tf.floor(tf.mul(x, 4))],
      ['round', (x) => tf.round(tf.mul(x, 4))], ['sign', tf.sign], ['step', (x) => tf.step(x, 0.3)], ['leakyRelu', (x) => tf.leakyRelu(x, 0.1)],
      ['clipByValue', (x) => tf.clipByValue(x, -0.3, 0.4)], ['reciprocal', (x) => tf.reciprocal(tf.add(tf.abs(x), 0.5))],
      ['softmax', tf.softmax], ['relu grad', (x) => tf.grad((v: tf.Tensor) => tf.relu(v))(x)], ['elu grad', (x) => tf.grad((v: tf.Tensor) => tf.elu(v))(x)],
    ];
    it.each(unary)('%s', async (_, f) => { await expectSame(() => f(t([3, 17, 5], 1))); });

    const shapes: [number[], number[]][] = [[[4, 5], [4, 5]], [[4, 5], []], [[], [4, 5]], [[2, 3, 4], [4]], [[2, 3, 4], [3, 1]], [[2, 1, 4], [1, 3, 1]], [[6, 1], [1, 7]]];
    const binary: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
      ['add', tf.add], ['sub', tf.sub], ['mul', tf.mul], ['div', (a, b) => tf.div(a, tf.add(tf.abs(b), 0.5))], ['maximum', tf.maximum], ['minimum', tf.minimum],
      ['squaredDifference', tf.squaredDifference], ['pow', (a, b) => tf.pow(tf.abs(a), b)],
      ['greater', (a, b) => tf.cast(tf.greater(a, b), 'float32')], ['equal', (a, b) => tf.cast(tf.equal(tf.round(a), tf.round(b)), 'float32')],
      ['lessEqual', (a, b) => tf.cast(tf.lessEqual(a, b), 'float32')], ['where', (a, b) => tf.where(tf.greater(a, 0), a, b)],
      ['logicalAnd', (a, b) => tf.cast(tf.logicalAnd(tf.greater(a, 0), tf.greater(b, 0)), 'float32')],
    ];
    it.each(binary.flatMap(([name, f]) => shapes.map(([a, b]) => [`${name} [${a}] [${b}]`, f, a, b] as const)))('%s', async (_, f, a, b) => {
      await expectSame(() => f(t(a, 2), t(b, 3)));
    });

    const reductions: [string, (x: tf.Tensor) => tf.Tensor][] = [
      ['sum all', (x) => tf.sum(x)], ['sum axis 0', (x) => tf.sum(x, 0)], ['sum axis -1 keepDims', (x) => tf.sum(x, -1, true)], ['sum axes 0,2', (x) => tf.sum(x, [0, 2])],
      ['mean axis 1', (x) => tf.mean(x, 1)], ['max axis 2', (x) => tf.max(x, 2)], ['min all', (x) => tf.min(x)], ['prod axis 1', (x) => tf.prod(x, 1)],
      ['argMax axis -1', (x) => tf.cast(tf.argMax(x, -1), 'float32')], ['argMin axis 0', (x) => tf.cast(tf.argMin(x, 0), 'float32')],
      ['mean of a bool', (x) => tf.mean(tf.cast(tf.greater(x, 0), 'float32'))], ['sum of int32', (x) => tf.cast(tf.sum(tf.cast(tf.mul(x, 10), 'int32'), 1), 'float32')],
    ];
    it.each(reductions)('%s', async (_, f) => { await expectSame(() => f(t([5, 7, 9], 4))); });
    it('sum of a million elements', async () => { await expectSame(() => tf.sum(t([1000, 1000], 5))); });

    const moves: [string, () => tf.Tensor][] = [
      ['transpose', () => tf.transpose(t([2, 3, 4, 5], 6), [3, 1, 0, 2])], ['slice', () => tf.slice(t([6, 7, 8], 6), [1, 2, 3], [3, -1, 4])],
      ['pad', () => tf.pad(t([3, 4, 5], 6), [[1, 0], [2, 3], [0, 1]], 0.5)], ['tile', () => tf.tile(t([2, 3], 6), [3, 2])],
      ['broadcastTo', () => tf.broadcastTo(t([3, 1], 6), [2, 3, 4])], ['concat axis 1', () => tf.concat([t([3, 2, 4], 6), t([3, 5, 4], 7), t([3, 1, 4], 8)], 1)],
      ['gather rows', () => tf.gather(t([10, 3, 2], 6), tf.tensor1d([9, 0, 4, 4, 2], 'int32'))], ['gather axis 1', () => tf.gather(t([4, 6, 2], 6), tf.tensor1d([5, 1], 'int32'), 1)],
      ['oneHot', () => tf.cast(tf.oneHot(tf.tensor1d([0, 3, 9, 2], 'int32'), 10), 'float32')], ['reshape then add', () => tf.add(tf.reshape(t([4, 6], 6), [2, 12]), 1)],
      ['zerosLike/onesLike/fill', () => tf.stack([tf.zerosLike(t([3], 6)), tf.onesLike(t([3], 6)), tf.fill([3], 2.5)])],
    ];
    it.each(moves)('%s', async (_, f) => { await expectSame(f); });

    const matmuls: [number[], number[], boolean, boolean][] = [
      [[4, 3], [3, 2], false, false], [[6, 5], [7, 5], false, true], [[40, 3], [40, 6], true, false], [[5, 6], [7, 5], true, true],
      [[2, 4, 5], [2, 6, 5], false, true], [[3, 4, 5], [5, 2], false, false], [[32, 2000], [2000, 48], false, false],
    ];
    it.each(matmuls)('matMul %j x %j (%s, %s), and fused with bias and relu', async (a, b, ta, tb) => {
      await expectSame(() => tf.matMul(t(a, 7), t(b, 8), ta, tb));
      if (a.length === 2 && b.length === 2) {
        const n = tb ? b[0] : b[1];
        await expectSame(() => tf.fused.matMul({ a: t(a, 7), b: t(b, 8), transposeA: ta, transposeB: tb, bias: t([n], 9), activation: 'relu' }));
      }
    });

    it.each(CONV_CASES.map((c) => [JSON.stringify(c), c] as const))('conv2d, fused conv2d and both gradients %s', async (_, c) => {
      const x = () => t([c.n, c.h, c.w, c.ci], 10);
      const w = () => t([c.k, c.k, c.ci, c.co], 11);
      await expectSame(() => tf.conv2d(x() as tf.Tensor4D, w() as tf.Tensor4D, c.s, c.pad));
      await expectSame(() => tf.fused.conv2d({ x: x() as tf.Tensor4D, filter: w() as tf.Tensor4D, strides: c.s, pad: c.pad, bias: t([c.co], 12), activation: 'relu' }));
      const loss = (xv: tf.Tensor, wv: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xv as tf.Tensor4D, wv as tf.Tensor4D, c.s, c.pad), tf.conv2d(xv as tf.Tensor4D, wv as tf.Tensor4D, c.s, c.pad)));
      await expectSame(() => tf.grads(loss)([x(), w()])[0]);
      await expectSame(() => tf.grads(loss)([x(), w()])[1]);
    });

    const pools: [string, number, number, 'same' | 'valid'][] = [['k2 s2 valid', 2, 2, 'valid'], ['k2 s2 same', 2, 2, 'same'], ['k3 s1 same', 3, 1, 'same'], ['k3 s2 valid', 3, 2, 'valid']];
    it.each(pools)('max and average pooling and their gradients, %s', async (_, k, s, pad) => {
      const x = () => t([2, 7, 9, 3], 13);
      await expectSame(() => tf.maxPool(x() as tf.Tensor4D, k, s, pad));
      await expectSame(() => tf.avgPool(x() as tf.Tensor4D, k, s, pad));
      await expectSame(() => tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.maxPool(v as tf.Tensor4D, k, s, pad))))(x()));
      await expectSame(() => tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.avgPool(v as tf.Tensor4D, k, s, pad))))(x()));
    });

    it('batch norm', async () => {
      await expectSame(() => tf.batchNorm(t([2, 3, 4, 5], 14), t([5], 15), tf.add(tf.abs(t([5], 16)), 0.1), t([5], 17), t([5], 18), 1e-3));
    });
  });
}
