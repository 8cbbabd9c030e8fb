// The fused conv layer's kernel (CONV_BIAS_RELU) and its gradient on native against tfjs'
// unfused ops (conv2d, add, relu) on the cpu backend; the ReLU gradient against tfjs' Step and
// Multiply, exactly, NaN and infinities included; the input's gradient only where asked for.
import * as tf from '@tensorflow/tfjs';
import { afterEach, expect, it, vi } from 'vitest';
import { initBackend } from '../../../src/training/backend.js';
import { CONV_BIAS_RELU } from '../../../src/training/conv-relu-layers.js';
import type { NativeBackend } from '../../../src/training/native/native-backend.js';
import { setNativePrecision } from '../../../src/training/native/precision.js';
import { NATIVE_BACKEND } from '../../../src/training/native/index.js';
import { CONV_CASES, host, relativeError, type HostTensor } from '../helpers.js';
import { describeNative, describeNativeBf16, useNative } from './availability.js';

const TOLERANCE = 1e-4;
type Case = (typeof CONV_CASES)[number];
const attrsOf = (c: Case) => ({ strides: [c.s, c.s], pad: c.pad });

/** The output and the gradients of sum(op(x, w, b) * r) for x, w and b, on the active backend. */
function valueAndGrads(c: Case, fused: boolean): HostTensor[] {
  return tf.tidy(() => {
    const [x, w, b] = [host([c.n, c.h, c.w, c.ci], 1), host([c.k, c.k, c.ci, c.co], 2), host([c.co], 3)].map((v) => tf.tensor(v.values, v.shape));
    const op = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => fused
      ? tf.engine().runKernel(CONV_BIAS_RELU, { x: xi, filter: wi, bias: bi }, attrsOf(c) as never) as tf.Tensor
      : tf.relu(tf.add(tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, c.s, c.pad), bi));
    const y = op(x, w, b);
    const r = tf.tensor(host(y.shape, 4).values, y.shape);
    const grads = tf.grads((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(op(xi, wi, bi), r)))([x, w, b]);
    return [y, ...grads].map((t) => ({ values: t.dataSync() as Float32Array, shape: t.shape }));
  });
}

afterEach(() => vi.restoreAllMocks());

describeNative('the conv layer as one kernel on native', () => {
  it.each(CONV_CASES.map((c) => [JSON.stringify(c), c] as const))('output and gradients match conv2d + add + relu on cpu: %s', async (_, c) => {
    await initBackend('cpu');
    const expected = valueAndGrads(c, false);
    await useNative();
    const actual = valueAndGrads(c, true);
    ['y', 'dx', 'dw', 'db'].forEach((name, i) => expect(relativeError(actual[i], expected[i]), name).toBeLessThanOrEqual(TOLERANCE));
  });

  // Every pair of special values once, and over 2^15 values: in chunks over the threads, a tail
  // off the vector width.
  it.each([81, 3 * 2 ** 15 + 7])("takes ReLU's gradient as tfjs' Step times Multiply, bit for bit, NaN and infinities included (%i values)", async (n) => {
    const special = [0, -0, 1e-30, -1e-30, Infinity, -Infinity, NaN, 3, -2];
    const y = Float32Array.from({ length: n }, (_, i) => special[i % 9]);
    const dy = Float32Array.from({ length: n }, (_, i) => special[Math.floor(i / 9) % 9]);
    await initBackend('cpu');
    const expected = tf.tidy(() => tf.mul(tf.tensor(dy), tf.step(tf.tensor(y))).dataSync());
    await useNative();
    const { addon } = tf.backend() as NativeBackend;
    const out = new Float32Array(n);
    addon.binary(7, dy, y, out, 0, 1);
    expect(Array.from(out)).toEqual(Array.from(expected));
  });

  it("computes the input's gradient only where the tape needs it, the bias's in the filter's pass", async () => {
    await useNative();
    const { addon } = tf.backend() as NativeBackend;
    const data = vi.spyOn(addon, 'conv2dBackwardData');
    const weights = vi.spyOn(addon, 'conv2dBackwardWeights');
    const sums = vi.spyOn(addon, 'sumLeading');
    const x = tf.randomUniform([2, 6, 6, 3]);
    const w = tf.variable(tf.randomUniform([3, 3, 3, 4]));
    const b = tf.variable(tf.randomUniform([4]));
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.engine().runKernel(CONV_BIAS_RELU, { x, filter: w, bias: b }, { strides: [1, 1], pad: 'same' }) as tf.Tensor) as tf.Scalar);
    expect(data).not.toHaveBeenCalled(); // x is data, as a first layer's input
    expect(weights).toHaveBeenCalledTimes(1);
    expect(weights.mock.calls[0][4]).toBeInstanceOf(Float32Array);
    expect(sums.mock.calls.filter((call) => call[1].length === 4)).toEqual([]); // no separate bias sum (the loss's sum is one value)
    tf.dispose([x, w, b, value, ...Object.values(grads)]);
  });
});

describeNativeBf16('the conv layer as one kernel in bf16', () => {
  it("matches bf16's unfused kernels, the filter's gradient in bf16 and the bias's summed in float32", async () => {
    const c: Case = { n: 4, h: 12, w: 12, ci: 8, co: 16, k: 3, s: 1, pad: 'valid' };
    await useNative();
    const fp32 = valueAndGrads(c, true);
    setNativePrecision(NATIVE_BACKEND, 'bf16');
    try {
      const { addon } = tf.backend() as NativeBackend;
      const bf16Weights = vi.spyOn(addon, 'conv2dBackwardWeightsBf16');
      const fused = valueAndGrads(c, true);
      expect(bf16Weights).toHaveBeenCalled();
      const unfused = valueAndGrads(c, false);
      ['y', 'dx', 'dw', 'db'].forEach((name, i) => expect(relativeError(fused[i], unfused[i]), name).toBeLessThanOrEqual(TOLERANCE));
      expect(relativeError(fused[2], fp32[2])).toBeGreaterThan(TOLERANCE); // it did run in bf16
    } finally {
      setNativePrecision(NATIVE_BACKEND, 'fp32');
    }
  });
});
