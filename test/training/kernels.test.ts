// Our kernels against the cpu backend's own ones (tfjs' reference implementations).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/training/backend.js';
import { originalKernel } from '../../src/training/kernels/index.js';
import { CONV_CASES, host, relativeError, runKernel, type ConvCase, type HostTensor, type Pad } from './helpers.js';

const TOLERANCE = 1e-4;

const outSize = (n: number, k: number, s: number, pad: Pad, axis: 1 | 2) => {
  if (pad === 'same') return Math.ceil(n / s);
  const [before, after] = pad === 'valid' ? [0, 0] : pad[axis];
  return Math.floor((n + before + after - k) / s) + 1;
};

interface ConvData { x: HostTensor; filter: HostTensor; dy: HostTensor; attrs: Record<string, unknown> }
function convData(c: ConvCase, seed: number): ConvData {
  return {
    x: host([c.n, c.h, c.w, c.ci], seed),
    filter: host([c.k, c.k, c.ci, c.co], seed + 1),
    dy: host([c.n, outSize(c.h, c.k, c.s, c.pad, 1), outSize(c.w, c.k, c.s, c.pad, 2), c.co], seed + 2),
    attrs: { strides: [c.s, c.s], pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined },
  };
}

const filterGrad = (k: tf.KernelConfig, d: ConvData) =>
  runKernel(k, { x: d.x, dy: d.dy }, { ...d.attrs, filterShape: d.filter.shape });
const inputGrad = (k: tf.KernelConfig, d: ConvData) =>
  runKernel(k, { dy: d.dy, filter: d.filter }, { ...d.attrs, inputShape: d.x.shape });
const kernel = (name: string, backend: string) => {
  const k = tf.getKernel(name, backend);
  if (!k) throw new Error(`${name} not registered for ${backend}`);
  return k;
};

// References from tfjs' own cpu kernels, computed before anything else.
const references = CONV_CASES.map((c, i) => ({ c, data: convData(c, 10 * i + 1), dw: null as HostTensor | null, dx: null as HostTensor | null }));

beforeAll(async () => {
  await initBackend('cpu');
  for (const r of references) {
    r.dw = filterGrad(originalKernel('Conv2DBackpropFilter', 'cpu')!, r.data);
    r.dx = inputGrad(originalKernel('Conv2DBackpropInput', 'cpu')!, r.data);
  }
});

describe.each(['wasm', 'cpu'] as const)('conv gradients on %s', (backend) => {
  it.each(references.map((r) => [JSON.stringify(r.c), r] as const))('%s', async (_, r) => {
    await initBackend(backend);
    expect(relativeError(filterGrad(kernel('Conv2DBackpropFilter', backend), r.data), r.dw!)).toBeLessThan(TOLERANCE);
    expect(relativeError(inputGrad(kernel('Conv2DBackpropInput', backend), r.data), r.dx!)).toBeLessThan(TOLERANCE);
  });
});

describe('wasm BatchMatMul, Sum, Transpose, Tile and MaxPoolGrad wrappers', () => {
  const matmuls: [number[], number[], boolean, boolean][] = [
    [[6, 5], [7, 5], false, true], // big b: computed as (b a^T)^T
    [[40, 3], [40, 6], true, false],
    [[5, 6], [7, 5], true, true],
    [[2, 4, 5], [2, 6, 5], false, true],
    [[3, 5, 4], [3, 5, 2], true, false],
    [[4, 3], [3, 2], false, false],
  ];
  it.each(matmuls)('matmul %j x %j (transposeA %s, transposeB %s)', async (aShape, bShape, transposeA, transposeB) => {
    const a = host(aShape, 3);
    const b = host(bShape, 4);
    const attrs = { transposeA, transposeB };
    await initBackend('cpu');
    const expected = runKernel(kernel('BatchMatMul', 'cpu'), { a, b }, attrs);
    await initBackend('wasm');
    expect(relativeError(runKernel(kernel('BatchMatMul', 'wasm'), { a, b }, attrs), expected)).toBeLessThan(TOLERANCE);
  });

  const sums: [number[], number[], boolean][] = [
    [[4, 5, 6, 7], [0, 1, 2], false],
    [[4, 5, 6, 7], [2, 1, 0], true],
    [[8, 3], [0], false],
    [[4, 5, 6], [1], false], // not leading: the backend's own kernel
    [[4, 5, 6], [0, 1, 2], false],
  ];
  it.each(sums)('sum %j over %j (keepDims %s)', async (shape, axis, keepDims) => {
    const x = host(shape, 5);
    await initBackend('cpu');
    const expected = runKernel(kernel('Sum', 'cpu'), { x }, { axis, keepDims });
    await initBackend('wasm');
    expect(relativeError(runKernel(kernel('Sum', 'wasm'), { x }, { axis, keepDims }), expected)).toBeLessThan(TOLERANCE);
  });

  const transposes: [number[], number[]][] = [
    [[4, 5, 6, 7], [3, 1, 2, 0]], // NHWC -> CHWN, done in JS
    [[33, 17], [1, 0]],
    [[3, 4, 5], [1, 2, 0]],
    [[3, 4, 5], [2, 0, 1]],
    [[4, 5, 6, 7], [1, 2, 0, 3]], // not an outer/inner swap: the backend's own kernel
    [[3, 4, 5], [0, 2, 1]],
  ];
  it.each(transposes)('transpose %j by %j', async (shape, perm) => {
    const x = host(shape, 6);
    await initBackend('cpu');
    const expected = runKernel(kernel('Transpose', 'cpu'), { x }, { perm });
    await initBackend('wasm');
    expect(runKernel(kernel('Transpose', 'wasm'), { x }, { perm })).toEqual(expected);
  });

  const tiles: [number[], number[]][] = [
    [[1, 1, 1, 5], [3, 4, 2, 1]], // batchNormalization's gradient
    [[2, 3], [2, 3]],
    [[2, 1, 3], [1, 4, 1]],
    [[4], [3]],
  ];
  it.each(tiles)('tile %j by %j', async (shape, reps) => {
    const x = host(shape, 8);
    await initBackend('cpu');
    const expected = runKernel(kernel('Tile', 'cpu'), { x }, { reps });
    await initBackend('wasm');
    expect(runKernel(kernel('Tile', 'wasm'), { x }, { reps })).toEqual(expected);
  });

  const pools: [number[], number, number, 'same' | 'valid'][] = [
    [[2, 8, 8, 3], 2, 2, 'valid'],
    [[2, 9, 7, 3], 3, 2, 'same'],
    [[1, 6, 6, 2], 3, 1, 'same'],
    [[2, 7, 7, 4], 2, 2, 'same'],
  ];
  it.each(pools)('maxPoolGrad %j pool %d stride %d %s, with ties', async (shape, filterSize, stride, pad) => {
    // Values rounded to halves: many equal maxima, which must all go to the first one.
    const x = host(shape, 9);
    x.values = x.values.map((v) => Math.round(v * 2) / 2);
    const attrs = { filterSize: [filterSize, filterSize], strides: [stride, stride], pad, dimRoundingMode: undefined };
    await initBackend('cpu');
    const output = runKernel(kernel('MaxPool', 'cpu'), { x }, attrs);
    const dy = host(output.shape, 10);
    const expected = runKernel(kernel('MaxPoolGrad', 'cpu'), { dy, input: x, output }, attrs);
    await initBackend('wasm');
    expect(relativeError(runKernel(kernel('MaxPoolGrad', 'wasm'), { dy, input: x, output }, attrs), expected)).toBeLessThan(TOLERANCE);
  });
});

describe('registration', () => {
  it('is idempotent and keeps the original kernels reachable', async () => {
    await initBackend('wasm');
    const ours = tf.getKernel('Conv2DBackpropInput', 'wasm');
    await initBackend('wasm');
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(ours);
    expect(originalKernel('Conv2DBackpropInput', 'wasm')).not.toBe(ours);
    expect(originalKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined(); // tfjs ships none
  });
});
