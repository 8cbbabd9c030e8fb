// Every native kernel against the cpu backend's kernel on the same inputs (relative error <= 1e-4),
// including the cases that fall back to cpu. The cpu side is initBackend('cpu'): tfjs' kernels with
// our fixes (AvgPoolGrad next to 'same' padding) and conv gradient rewrites (both checked against
// tfjs' own in ../kernels.test.ts and ../gradient-matrix.test.ts).
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/training/backend.js';
import { expect, it, vi } from 'vitest';
import type { NativeBackend } from '../../../src/training/native/native-backend.js';
import { COMPARE_KERNELS } from '../../../src/training/native/compare.js';
import { CONV_RELU_KERNELS } from '../../../src/training/native/conv-relu.js';
import { binaryCode, Layout, unaryCode } from '../../../src/training/native/eltwise.js';
import { NATIVE_BACKEND, NATIVE_KERNELS } from '../../../src/training/native/index.js';
import { SPARSE_LOSS_KERNELS } from '../../../src/training/native/sparse-loss.js';
import { CONV_CASES as SHARED_CONV_CASES, host, relativeError, runKernel, type ConvCase, type HostTensor } from '../helpers.js';
import { describeNative, useNative } from './availability.js';

const TOLERANCE = 1e-4;

/** The cpu kernel's and the native kernel's outputs for the same inputs and attributes. */
async function both(name: string, inputs: Record<string, HostTensor>, attrs: Record<string, unknown>): Promise<[HostTensor, HostTensor]> {
  await initBackend('cpu');
  const expected = runKernel(tf.getKernel(name, 'cpu')!, inputs, attrs);
  await useNative();
  const actual = runKernel(tf.getKernel(name, NATIVE_BACKEND)!, inputs, attrs);
  return [actual, expected];
}

async function expectSame(name: string, inputs: Record<string, HostTensor>, attrs: Record<string, unknown>): Promise<void> {
  const [actual, expected] = await both(name, inputs, attrs);
  expect(actual.shape).toEqual(expected.shape);
  expect(relativeError(actual, expected)).toBeLessThanOrEqual(TOLERANCE);
}

// The shared cases, plus the notebook model's shapes (smaller).
const CONV_CASES: ConvCase[] = [
  ...SHARED_CONV_CASES,
  { n: 4, h: 28, w: 28, ci: 1, co: 16, k: 3, s: 1, pad: 'valid' },
  { n: 2, h: 26, w: 26, ci: 16, co: 12, k: 3, s: 1, pad: 'valid' },
  // Blocked activations below AVX-512 (conv-layout.test.ts): 8 channels, strided and padded.
  { n: 3, h: 9, w: 10, ci: 8, co: 5, k: 3, s: 2, pad: 'same' },
];
const DILATED: ConvCase[] = [
  { n: 2, h: 9, w: 9, ci: 3, co: 4, k: 3, s: 1, pad: 'same', d: 2 },
  { n: 2, h: 10, w: 9, ci: 2, co: 3, k: 3, s: 1, pad: 'valid', d: 3 },
  { n: 2, h: 9, w: 9, ci: 9, co: 4, k: 3, s: 1, pad: 'same', d: 2 },
];

const outSize = (size: number, c: ConvCase, axis: 1 | 2) => {
  const extent = (c.k - 1) * (c.d ?? 1) + 1;
  if (c.pad === 'same') return Math.ceil(size / c.s);
  const [before, after] = c.pad === 'valid' ? [0, 0] : c.pad[axis];
  return Math.floor((size + before + after - extent) / c.s) + 1;
};

describeNative('native kernels match the cpu backend', () => {
  it('registers one kernel per name, over a copy of every cpu kernel, and the fused conv layer\'s and sparse loss\'s three each', async () => {
    await useNative();
    const names = NATIVE_KERNELS.map((k) => k.name);
    expect(new Set(names).size).toBe(names.length);
    const cpu = tf.getKernelsForBackend('cpu').map((k) => k.kernelName).sort();
    expect(tf.getKernelsForBackend(NATIVE_BACKEND).map((k) => k.kernelName).sort()).toEqual([...cpu, ...CONV_RELU_KERNELS, ...SPARSE_LOSS_KERNELS].sort());
  });

  it('runs the covered cases in the addon', async () => {
    await useNative();
    const { addon } = tf.backend() as NativeBackend;
    const spies = (['conv2dForward', 'conv2dBackwardData', 'conv2dBackwardWeights', 'matMul', 'binary', 'unary', 'sumLeading'] as const)
      .map((name) => [name, vi.spyOn(addon, name)] as const);
    const x = tf.variable(tf.randomUniform([2, 6, 6, 3]));
    const w = tf.variable(tf.randomUniform([3, 3, 3, 4]));
    const grads = tf.variableGrads(() => tf.relu(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')).add(tf.scalar(1)).sum().reshape([]) as tf.Scalar);
    tf.matMul(tf.ones([2, 3]), tf.ones([3, 2]));
    for (const [name, spy] of spies) expect(spy, name).toHaveBeenCalled();
    vi.restoreAllMocks();
    tf.dispose([x, w, grads.value, ...Object.values(grads.grads)]);
  });

  it.each([...CONV_CASES, ...DILATED].map((c) => [JSON.stringify(c), c] as const))('Conv2D and FusedConv2D %s', async (_, c) => {
    const x = host([c.n, c.h, c.w, c.ci], 1);
    const filter = host([c.k, c.k, c.ci, c.co], 2);
    const bias = host([c.co], 3);
    const attrs = { strides: [c.s, c.s], pad: c.pad, dataFormat: 'NHWC', dilations: [c.d ?? 1, c.d ?? 1], dimRoundingMode: undefined };
    await expectSame('Conv2D', { x, filter }, attrs);
    for (const activation of ['linear', 'relu']) await expectSame('FusedConv2D', { x, filter, bias }, { ...attrs, activation });
    await expectSame('FusedConv2D', { x, filter }, { ...attrs, activation: 'relu' });
    await expectSame('FusedConv2D', { x, filter, bias }, { ...attrs, activation: 'elu' }); // cpu fallback
  });

  it.each(CONV_CASES.map((c) => [JSON.stringify(c), c] as const))('Conv2DBackpropInput and Conv2DBackpropFilter %s', async (_, c) => {
    const x = host([c.n, c.h, c.w, c.ci], 4);
    const filter = host([c.k, c.k, c.ci, c.co], 5);
    const dy = host([c.n, outSize(c.h, c, 1), outSize(c.w, c, 2), c.co], 6);
    const attrs = { strides: [c.s, c.s], pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
    await expectSame('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: x.shape });
    await expectSame('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: filter.shape });
  });

  const matmuls: [number[], number[], boolean, boolean][] = [
    [[4, 3], [3, 2], false, false],
    [[6, 5], [7, 5], false, true],
    [[40, 3], [40, 6], true, false],
    [[5, 6], [7, 5], true, true],
    [[2, 4, 5], [2, 6, 5], false, true],
    [[3, 5, 4], [3, 5, 2], true, false],
    [[3, 4, 5], [1, 5, 2], false, false], // one b for every a
    [[1, 4, 5], [3, 5, 2], false, false],
    [[2, 3, 4, 5], [2, 3, 5, 2], false, false],
    [[2, 1, 4, 5], [1, 3, 5, 2], false, false], // other broadcasts: cpu fallback
    [[32, 2000], [2000, 48], false, false], // the dense layer's shapes, shorter
    [[32, 2000], [32, 48], true, false],
    [[32, 48], [2000, 48], false, true],
    [[4, 0], [0, 3], false, false], // an empty sum: the bias alone
    [[1, 300], [300, 7], false, false], // one row: through sgemm, the others through the primitive (matmul.cc)
    [[300, 1], [300, 7], true, false],
  ];
  it.each(matmuls)('BatchMatMul and _FusedMatMul %j x %j (transposeA %s, transposeB %s)', async (aShape, bShape, transposeA, transposeB) => {
    const a = host(aShape, 7);
    const b = host(bShape, 8);
    await expectSame('BatchMatMul', { a, b }, { transposeA, transposeB });
    const n = transposeB ? bShape[bShape.length - 2] : bShape[bShape.length - 1];
    for (const activation of ['linear', 'relu', 'sigmoid']) {
      await expectSame('_FusedMatMul', { a, b, bias: host([n], 9) }, { transposeA, transposeB, activation });
    }
    await expectSame('_FusedMatMul', { a, b }, { transposeA, transposeB, activation: 'relu' });
    // (tfjs' own cpu kernel returns NaN for a [1] bias when both batch shapes broadcast.)
    const generalBroadcast = aShape.length === 4 && aShape[1] !== bShape[1];
    if (!generalBroadcast) await expectSame('_FusedMatMul', { a, b, bias: host([1], 10) }, { transposeA, transposeB, activation: 'linear' });
  });

  const binaryShapes: [number[], number[]][] = [
    [[3, 4, 5], [3, 4, 5]],
    [[3, 4, 5], []],
    [[], [3, 4, 5]],
    [[2, 3, 4, 6], [6]], // a bias
    [[2, 3, 4, 6], [1, 1, 1, 6]],
    [[6], [2, 3, 6]],
    [[4, 5], [1]],
    [[2, 3, 1], [1, 3, 4]], // general broadcast: cpu fallback
    [[5, 1], [5, 3]], // one value per row
    [[4, 3, 10], [4, 3, 1]],
    [[4, 3, 10], [1, 3, 1]], // not one per row: cpu fallback
    [[0, 3], [3]],
  ];
  const binaryOps = ['Add', 'Sub', 'Multiply', 'RealDiv', 'Maximum', 'Minimum', 'SquaredDifference'];
  it.each(binaryOps)('%s on equal, scalar, row and broadcast shapes', async (name) => {
    for (const [aShape, bShape] of binaryShapes) await expectSame(name, { a: host(aShape, 11), b: host(bShape, 12) }, {});
  });

  it('runs a loss\'s per-row column against its [n, classes] terms in the addon, either side', async () => {
    await useNative();
    const binary = vi.spyOn((tf.backend() as NativeBackend).addon, 'binary');
    const terms = tf.randomUniform([32, 10]);
    const sums = tf.sum(terms, -1, true);
    tf.dispose([tf.div(terms, sums), tf.mul(sums, terms)]);
    expect(binary.mock.calls.map((c) => [c[0], c[4], c[5]])).toEqual([[binaryCode('RealDiv'), Layout.ColB, 10], [binaryCode('Multiply'), Layout.ColA, 10]]);
    vi.restoreAllMocks();
    tf.dispose([terms, sums]);
  });

  it('Softmax over the last axis: the cpu kernel\'s bits, NaN and infinities included; other axes fall back (cpu throws)', async () => {
    const special = host([4, 10], 21);
    special.values.set([Number.NaN, -Infinity, Infinity, 88, -88, 1e-40], 3);
    special.values.fill(-Infinity, 20, 30); // a row with no finite logit
    for (const logits of [host([32, 10], 20), host([3, 4, 5], 22), host([7], 23), special]) {
      const [actual, expected] = await both('Softmax', { logits }, { dim: -1 });
      expect(actual.shape).toEqual(expected.shape);
      expect(Array.from(actual.values)).toEqual(Array.from(expected.values));
    }
    await useNative();
    expect(() => runKernel(tf.getKernel('Softmax', NATIVE_BACKEND)!, { logits: host([3, 4], 24) }, { dim: 0 })).toThrow(/non-last dimension/);
  });

  it.each(['Greater', 'GreaterEqual', 'Less', 'LessEqual', 'Equal', 'NotEqual'])('%s: bool values as cpu gives them, on equal shapes, against scalars, and falling back', async (name) => {
    const values = [0.5, -1, Number.NaN, 0.25, 0.5, Infinity, -Infinity, 0, -0, 1e-40, 0.5, 2];
    const cases: [number[], number[], number[], number[]][] = [
      [[3, 4], values, [3, 4], [...values].reverse()],
      [[3, 4], values, [], [0.5]],
      [[], [0.5], [3, 4], values],
      [[3, 4], values, [1, 1], [0]],
      [[2, 3, 1], values.slice(0, 6), [1, 3, 2], values.slice(6)], // general broadcast: cpu
      [[4, 1], values.slice(0, 4), [4, 3], values], // one value per row: cpu (the binary kernels' column layout)
    ];
    const run = (backend: 'cpu' | 'native') => cases.map(([as, av, bs, bv]) => {
      const out = tf.engine().runKernel(name, { a: tf.tensor(av, as), b: tf.tensor(bv, bs) }) as tf.Tensor;
      return { dtype: out.dtype, shape: out.shape, values: Array.from(out.dataSync()), backend };
    });
    await initBackend('cpu');
    const expected = run('cpu');
    await useNative();
    const actual = run('native');
    expect(actual.map(({ backend: _, ...r }) => r)).toEqual(expected.map(({ backend: _, ...r }) => r));
    expect(actual.every((r) => r.dtype === 'bool')).toBe(true);
    // Which cases the native kernel takes (the others return null: cpu's kernel runs).
    const kernel = COMPARE_KERNELS.find((k) => k.name === name)!;
    const taken = cases.map(([as, av, bs, bv]) => {
      const [a, b] = [tf.tensor(av, as), tf.tensor(bv, bs)];
      const out = kernel.run({ inputs: { a, b }, backend: tf.backend() as NativeBackend, attrs: {} as never });
      if (out) tf.engine().makeTensorFromTensorInfo(out).dispose();
      tf.dispose([a, b]);
      return out !== null;
    });
    expect(taken).toEqual([true, true, true, true, false, false]);
  });

  it('Add on int32 falls back to cpu', async () => {
    await useNative();
    const a = tf.tensor1d([1, 2, 3], 'int32');
    const sum = tf.add(a, a);
    expect(sum.dtype).toBe('int32');
    expect(Array.from(sum.dataSync())).toEqual([2, 4, 6]);
    tf.dispose([a, sum]);
  });

  const unaryOps = ['Sqrt', 'Square', 'Relu', 'Step', 'Neg', 'Exp', 'Log', 'Sigmoid', 'Tanh', 'Rsqrt', 'Abs', 'Reciprocal'];
  it.each(unaryOps)('%s', async (name) => {
    const x = host([70000], 13); // big enough for the threaded path
    if (['Sqrt', 'Log', 'Rsqrt', 'Reciprocal'].includes(name)) x.values = x.values.map((v) => Math.abs(v) + 0.1);
    else x.values[5] = 0;
    await expectSame(name, { x }, name === 'Step' ? { alpha: 0.25 } : {});
  });

  const sums: [number[], number[], boolean][] = [
    [[4, 5, 6, 7], [0, 1, 2], false], // a bias gradient
    [[4, 5, 6, 7], [2, 1, 0], true],
    [[300, 256], [0], false],
    [[4, 5, 6], [2], false],
    [[4, 5, 6], [-1, 1], true],
    [[4, 5, 6], [0, 1, 2], false],
    [[4, 5, 6], [1], false], // a middle axis: cpu fallback
  ];
  it.each(sums)('Sum %j over %j (keepDims %s)', async (shape, axis, keepDims) => {
    await expectSame('Sum', { x: host(shape, 14) }, { axis, keepDims });
  });

  const pools: [number[], number, number, 'same' | 'valid'][] = [
    [[2, 8, 8, 3], 2, 2, 'valid'],
    [[2, 9, 7, 3], 3, 2, 'same'],
    [[1, 6, 6, 2], 3, 1, 'same'],
    [[2, 7, 7, 4], 2, 2, 'same'],
    [[3, 11, 10, 5], 3, 3, 'valid'],
    [[8, 24, 24, 48], 2, 2, 'valid'],
  ];
  it.each(pools)('MaxPool, AvgPool and gradients %j pool %d stride %d %s, with ties', async (shape, filterSize, stride, pad) => {
    const x = host(shape, 15);
    x.values = x.values.map((v) => Math.round(v * 2) / 2); // many equal maxima: the first one wins
    const attrs = { filterSize: [filterSize, filterSize], strides: [stride, stride], pad, dimRoundingMode: undefined };
    for (const name of ['MaxPool', 'AvgPool']) await expectSame(name, { x }, attrs);
    await initBackend('cpu');
    const output = runKernel(tf.getKernel('MaxPool', 'cpu')!, { x }, attrs);
    const dy = host(output.shape, 16);
    await expectSame('MaxPoolGrad', { dy, input: x, output }, attrs);
    await expectSame('AvgPoolGrad', { dy, input: x }, attrs);
  });

  const gathers: [number[], number[], number][] = [
    [[50, 6, 6, 1], [7, 0, 49, 7, 3], 0], // a batch from a training set, with a repeat
    [[4, 5, 3], [2, 2, 0, 4], 1],
    [[3, 4, 6], [5, 1], 2],
    [[10], [9, 0, 1], 0],
  ];
  it.each(gathers)('GatherV2 of %j at %j along axis %d, bit for bit; out of range, the cpu kernel\'s error', async (shape, indices, axis) => {
    const x = host(shape, 17);
    const gather = (idx: number[]) => tf.tidy(() => Array.from(tf.gather(tf.tensor(x.values, x.shape), tf.tensor1d(idx, 'int32'), axis).dataSync()));
    await initBackend('cpu');
    const expected = gather(indices);
    await useNative();
    const alloc = vi.spyOn(tf.backend() as NativeBackend, 'alloc');
    expect(gather(indices)).toEqual(expected);
    expect(alloc).toHaveBeenCalledWith(expected.length); // the native kernel wrote it, not cpu's
    alloc.mockRestore();
    expect(() => gather([...indices, shape[axis]])).toThrow(`GatherV2: the index value ${shape[axis]} is not in [0, ${shape[axis] - 1}]`);
    expect(() => gather([-1])).toThrow('GatherV2: the index value -1');
  });

  it('flushes denormals to zero as TensorFlow\'s CPU kernels do, on every thread of a kernel, and leaves JS arithmetic alone', async () => {
    await useNative();
    const { addon } = tf.backend() as NativeBackend;
    const tiny = Math.fround(1e-20);
    for (const n of [4, 1 << 16]) { // one thread, then OpenMP's workers too
      const a = new Float32Array(n).fill(tiny);
      const out = new Float32Array(n);
      addon.binary(binaryCode('Multiply'), a, a, out, Layout.Same, 1); // 1e-40 is a float32 denormal
      expect(out.every((v) => v === 0)).toBe(true);
      addon.unary(unaryCode('Sqrt'), Float32Array.of(1e-39), out, 0); // a denormal input reads as zero (3.2e-20 otherwise)
      expect(out[0]).toBe(0);
    }
    expect(Math.fround(tiny * tiny)).toBeGreaterThan(0); // the calling thread's mode is restored
    expect(2 ** -1070 / 4).toBe(2 ** -1072);
  });
});
