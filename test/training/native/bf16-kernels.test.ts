// The bf16 mixed-precision kernels against the float32 ones on the notebook model's shapes (batch
// 32: conv 1 on 28x28x1, conv 2 on its 26x26 output, the 27648-wide dense layer and the head),
// forward and both gradients, and the float32 -> bf16 conversion itself.
//
// Tolerance, and why: bf16 keeps 8 significant bits, so rounding one input costs a relative error
// of at most u = 2^-8, and a product of two rounded inputs at most 2u + u^2. oneDNN accumulates
// those products in float32 (error ~2^-24 per addition, on both sides), so for every output
//   |bf16 - fp32| <= (2u + u^2 + slack) * sum_i |a_i| |b_i|,
// where sum_i |a_i||b_i| is the same kernel run in float32 on |a| and |b|. slack = 2^-12 covers
// the two float32 summations (different orders, up to 27,648 terms; their bound, K * 2^-24, would
// be 1.6e-3 but blocked sums stay far below it). It is a bound, not a statistical figure: every
// element must meet it. Errors average out in real sums (a random walk, ~u * sqrt(K) of the
// magnitude), so the measured worst case sits well inside it: on a Zen 4 EPYC 0.51 of the bound
// for conv 1's 9-term sums (where one product's rounding dominates), 0.01-0.37 everywhere else
// (BF16_REPORT=1 prints each).
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { AMX_BF16_POLICY, AVX512_BF16_POLICY, bf16PolicyFor, EVERY_KERNEL_BF16, type Bf16Policy } from '../../../src/training/native/bf16-policy.js';
import { NATIVE_BACKEND } from '../../../src/training/native/index.js';
import type { NativeBackend } from '../../../src/training/native/native-backend.js';
import { setNativePrecision } from '../../../src/training/native/precision.js';
import { host, runKernel, type HostTensor } from '../helpers.js';
import { describeNative, describeNativeBf16, useNative } from './availability.js';

const U = 2 ** -8;
const BOUND = 2 * U + U * U + 2 ** -12;

const abs = (t: HostTensor): HostTensor => ({ values: t.values.map(Math.abs), shape: t.shape });

function run(name: string, inputs: Record<string, HostTensor>, attrs: Record<string, unknown>, precision: 'fp32' | 'bf16'): HostTensor {
  setNativePrecision(NATIVE_BACKEND, precision);
  try {
    return runKernel(tf.getKernel(name, NATIVE_BACKEND)!, inputs, attrs);
  } finally {
    setNativePrecision(NATIVE_BACKEND, 'fp32');
  }
}

/**
 * bf16 against fp32 on the same inputs; `magnitude`: which inputs to take |.| of for the bound
 * (all but a bias, which is added in float32). Returns the worst error as a share of the bound.
 */
function compare(name: string, inputs: Record<string, HostTensor>, attrs: Record<string, unknown>, exact: string[] = []): number {
  const bf16 = run(name, inputs, attrs, 'bf16');
  const fp32 = run(name, inputs, attrs, 'fp32');
  // The bound's sum of |a_i||b_i|: the same kernel without bias or activation on |inputs|.
  const absInputs = Object.fromEntries(Object.entries(inputs).filter(([k]) => !exact.includes(k)).map(([k, v]) => [k, abs(v)]));
  const magnitude = run(name, absInputs, { ...attrs, activation: 'linear' }, 'fp32');
  expect(bf16.shape).toEqual(fp32.shape);
  let worst = 0;
  let differs = 0;
  for (let i = 0; i < fp32.values.length; i++) {
    const diff = Math.abs(bf16.values[i] - fp32.values[i]);
    if (diff > 0) differs++;
    worst = Math.max(worst, diff / (BOUND * magnitude.values[i] + 1e-30));
  }
  if (process.env.BF16_REPORT) console.log(name, JSON.stringify(attrs), 'worst share of the bound', worst.toFixed(4));
  expect(differs, 'bf16 gave float32 results: it did not run in bf16').toBeGreaterThan(fp32.values.length / 10);
  return worst;
}

interface Conv { n: number; h: number; ci: number; co: number; k: number }
// The notebook's search: conv 1 of 32-128 filters on the 28x28x1 image, conv 2 of 32-48 on its
// output, kernels 3 and 5, 'valid' padding, stride 1.
const CONVS: Conv[] = [
  { n: 32, h: 28, ci: 1, co: 64, k: 3 },
  { n: 32, h: 28, ci: 1, co: 128, k: 5 },
  { n: 32, h: 26, ci: 64, co: 48, k: 3 },
  { n: 32, h: 24, ci: 128, co: 32, k: 5 },
];
const convAttrs = { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined };
const out = (c: Conv) => c.h - c.k + 1;

const nativeBackend = () => tf.findBackend(NATIVE_BACKEND) as NativeBackend;

// The conversion is the addon's own integer code, and the float32 path must not touch bf16: both
// hold on any CPU the native backend runs on.
describeNative('bf16 conversion, and the float32 path without it', () => {
  it('rounds float32 to bf16 to nearest even, as oneDNN and PyTorch do', async () => {
    await useNative();
    const { addon } = tf.backend() as NativeBackend;
    const x = Float32Array.of(1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, -2.5, 0, -0, Infinity, -Infinity, NaN, 3.4028234663852886e38, 1e-40);
    const bits = new Uint16Array(x.length);
    addon.toBf16(x, bits);
    // 1+2^-8 is a tie: down to the even 1; 1+3*2^-8 a tie: up to the even 1+2^-6; the largest float rounds to infinity.
    expect([...bits.slice(0, 8)].map((b) => b.toString(16))).toEqual(['3f80', '3f80', '3f82', 'c020', '0', '8000', '7f80', 'ff80']);
    const back = new Float32Array(x.length);
    addon.fromBf16(bits, back);
    expect(Number.isNaN(back[8])).toBe(true);
    expect(back[9]).toBe(Infinity);
    expect(back[10]).toBe(2 ** -133); // the nearest bf16 subnormal: kept, not flushed to zero
    // Random values: within half a unit in the last place, at most u = 2^-8 of the value.
    const r = host([10_000], 5).values.map((v) => v * 1e3);
    const rb = new Uint16Array(r.length);
    const rr = new Float32Array(r.length);
    addon.toBf16(r, rb);
    addon.fromBf16(rb, rr);
    for (let i = 0; i < r.length; i++) expect(Math.abs(rr[i] - r[i])).toBeLessThanOrEqual(U * Math.abs(r[i]));
  });

  it('rounds the same across the vector path, its remainder and OpenMP chunks (100,003 values, specials among them)', async () => {
    await useNative();
    const { addon } = tf.backend() as NativeBackend;
    const x = host([100_003], 9).values.map((v, i) => (i % 997 === 0 ? [NaN, Infinity, -0, 1e-40][(i / 997) % 4] : v * 10 ** ((i % 13) - 6)));
    const bits = new Uint16Array(x.length);
    addon.toBf16(x, bits);
    // The same rounding in JS: nearest, ties to even; NaN keeps its sign and top bits, made quiet.
    const u = new Uint32Array(x.buffer, x.byteOffset, x.length);
    const expected = Uint16Array.from(u, (w) => ((w & 0x7fffffff) > 0x7f800000 ? (w >>> 16) | 0x40 : ((w + 0x7fff + ((w >>> 16) & 1)) >>> 16) & 0xffff));
    expect(Buffer.from(bits.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
  });

  it('leaves the float32 path alone: no bf16 call while the precision is fp32', async () => {
    await useNative();
    const { addon } = tf.backend() as NativeBackend;
    const spies = (['toBf16', 'conv2dForwardBf16', 'conv2dBackwardDataBf16', 'conv2dBackwardWeightsBf16', 'matMulBf16'] as const).map((n) => vi.spyOn(addon, n));
    const x = tf.variable(tf.randomUniform([2, 6, 6, 3]));
    const w = tf.variable(tf.randomUniform([3, 3, 3, 4]));
    const { value, grads } = tf.variableGrads(() => tf.matMul(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same').reshape([2, -1]), tf.ones([144, 2])).sum() as tf.Scalar);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    tf.dispose([x, w, value, ...Object.values(grads)]);
  });
});

describeNativeBf16('bf16 kernels against float32, within 2u + u^2 + 2^-12 of sum |a||b| (u = 2^-8)', () => {
  // The kernels themselves, every shape in bf16 (the policy that keeps some in float32 has its own test below).
  beforeEach(async () => {
    await useNative();
    nativeBackend().bf16Policy = { ...EVERY_KERNEL_BF16 };
  });
  afterEach(() => {
    vi.restoreAllMocks();
    nativeBackend().bf16Policy = { ...bf16PolicyFor(nativeBackend().addon.info().isa) };
  });

  it.each(CONVS.map((c) => [JSON.stringify(c), c] as const))('Conv2D, FusedConv2D (bias, ReLU) and both gradients %s', async (_, c) => {
    await useNative();
    const x = host([c.n, c.h, c.h, c.ci], 1);
    const filter = host([c.k, c.k, c.ci, c.co], 2);
    const bias = host([c.co], 3);
    const dy = host([c.n, out(c), out(c), c.co], 4);
    expect(compare('Conv2D', { x, filter }, convAttrs)).toBeLessThanOrEqual(1);
    expect(compare('FusedConv2D', { x, filter, bias }, { ...convAttrs, activation: 'relu' }, ['bias'])).toBeLessThanOrEqual(1);
    expect(compare('Conv2DBackpropInput', { dy, filter }, { ...convAttrs, inputShape: x.shape })).toBeLessThanOrEqual(1);
    expect(compare('Conv2DBackpropFilter', { x, dy }, { ...convAttrs, filterShape: filter.shape })).toBeLessThanOrEqual(1);
  });

  // The dense layers' three products: forward x·W (+bias, ReLU), input gradient dy·Wᵀ, weight gradient xᵀ·dy.
  it.each([[27648, 48], [48, 10], [27648, 128]] as const)('dense %i -> %i: forward and both gradients', async (k, n) => {
    await useNative();
    const m = 32;
    const x = host([m, k], 5);
    const w = host([k, n], 6);
    const bias = host([n], 7);
    const dy = host([m, n], 8);
    const mm = { transposeA: false, transposeB: false };
    expect(compare('_FusedMatMul', { a: x, b: w, bias }, { ...mm, activation: 'relu' }, ['bias'])).toBeLessThanOrEqual(1);
    expect(compare('BatchMatMul', { a: dy, b: w }, { ...mm, transposeB: true })).toBeLessThanOrEqual(1);
    expect(compare('BatchMatMul', { a: x, b: dy }, { ...mm, transposeA: true })).toBeLessThanOrEqual(1);
  });

  it('batched products with one side shared, as BatchMatMul broadcasts it', async () => {
    await useNative();
    const a = host([3, 5, 7], 9);
    const b = host([1, 7, 4], 10);
    expect(compare('BatchMatMul', { a, b }, { transposeA: false, transposeB: false })).toBeLessThanOrEqual(1);
  });

  it('reads each tensor as bf16 once: a conv input and an output gradient are converted once for both gradients', async () => {
    await useNative();
    const backend = tf.backend() as NativeBackend;
    const toBf16 = vi.spyOn(backend.addon, 'toBf16');
    setNativePrecision(NATIVE_BACKEND, 'bf16');
    try {
      const x = tf.randomUniform([2, 8, 8, 3]);
      const w = tf.variable(tf.randomUniform([3, 3, 3, 4]));
      const { value, grads } = tf.variableGrads(() => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid').square().sum() as tf.Scalar, [w]);
      // x (forward, filter gradient) and dy (filter gradient): two conversions; the filter itself goes to oneDNN as float32.
      expect(toBf16).toHaveBeenCalledTimes(2);
      tf.dispose([x, w, value, ...Object.values(grads)]);
    } finally {
      setNativePrecision(NATIVE_BACKEND, 'fp32');
    }
  });

  // Which addon function runs, per policy: a conv over 1 channel, over 8; [32, 2048] x [2048, 63],
  // x [2048, 64]; a classifier head's [32, 48] x [48, 10]: in bf16?
  const ROUTES: [string, Bf16Policy, boolean[]][] = [
    ['AMX', AMX_BF16_POLICY, [false, true, false, true, false]],
    ['AVX512_BF16', AVX512_BF16_POLICY, [true, true, true, true, false]],
  ];
  it.each(ROUTES)("keeps the %s policy's kernels in float32, and only those", async (_, policy, expected) => {
    const backend = nativeBackend();
    backend.bf16Policy = { ...policy };
    const [convF32, weightsF32, convBf16, weightsBf16, mmF32, mmBf16] = (['conv2dForward', 'conv2dBackwardWeights', 'conv2dForwardBf16', 'conv2dBackwardWeightsBf16', 'matMul', 'matMulBf16'] as const)
      .map((n) => vi.spyOn(backend.addon, n));
    const calls = (...spies: typeof convF32[]) => spies.map((spy) => spy.mock.calls.length);
    setNativePrecision(NATIVE_BACKEND, 'bf16');
    const inBf16: boolean[] = [];
    try {
      for (const ci of [1, 8]) {
        const x = tf.randomUniform([2, 8, 8, ci]);
        const w = tf.variable(tf.randomUniform([3, 3, ci, 4]));
        const { value, grads } = tf.variableGrads(() => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid').sum() as tf.Scalar, [w]);
        tf.dispose([x, w, value, ...Object.values(grads)]);
        const [f32, wf32, b16, wb16] = calls(convF32, weightsF32, convBf16, weightsBf16);
        expect([f32 + b16, wf32 + wb16, b16]).toEqual([1, 1, wb16]); // forward and filter gradient, both in the same precision
        inBf16.push(b16 === 1);
        vi.clearAllMocks();
      }
      for (const [m, k, n] of [[32, 2048, 63], [32, 2048, 64], [32, 48, 10]]) {
        tf.tidy(() => { tf.matMul(tf.ones([m, k]), tf.ones([k, n])); });
        const [f32, b16] = calls(mmF32, mmBf16);
        expect(f32 + b16).toBe(1);
        inBf16.push(b16 === 1);
        vi.clearAllMocks();
      }
    } finally {
      setNativePrecision(NATIVE_BACKEND, 'fp32');
    }
    expect(inBf16).toEqual(expected);
  });
});
