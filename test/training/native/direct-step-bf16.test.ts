// What the direct step does differently in bf16 (src/training/native/direct-step-bf16.ts), against
// the kernels tfjs' path runs, bit for bit: a conv written straight to bf16 against its float32
// output rounded by toBf16; the fused ReLU gradient against reluGrad, toBf16 and sumLeading; which
// activations may exist only as bf16 under each CPU kind's policy; a bf16-only tensor refuses
// float32 reads.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { AMX_BF16_POLICY, AVX512_BF16_POLICY, bf16PolicyFor, EVERY_KERNEL_BF16, type Bf16Policy } from '../../../src/training/native/bf16-policy.js';
import { convGeometry } from '../../../src/training/native/conv.js';
import { bf16Outputs } from '../../../src/training/native/direct-step-bf16.js';
import { Layout, RELU_GRAD_OP } from '../../../src/training/native/eltwise.js';
import { NATIVE_BACKEND } from '../../../src/training/native/index.js';
import type { NativeBackend } from '../../../src/training/native/native-backend.js';
import { setNativePrecision } from '../../../src/training/native/precision.js';
import { randomValues } from '../helpers.js';
import { describeNative, describeNativeBf16, useNative } from './availability.js';

const backend = () => tf.findBackend(NATIVE_BACKEND) as NativeBackend;
const same = (a: ArrayBufferView, b: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const bf16 = (x: Float32Array) => {
  const out = new Uint16Array(x.length);
  backend().addon.toBf16(x, out);
  return out;
};

// oneDNN's bf16 convolution needs a CPU with bf16 (AVX512_BF16 here).
describeNativeBf16('the direct step\'s bf16 convolution', () => {
  beforeEach(useNative);

  // Conv 1 and conv 2 of the notebook's shapes, with and without ReLU and bias.
  it.each([
    [[32, 28, 28, 1], [3, 3, 1, 32], true, true],
    [[32, 26, 26, 48], [5, 5, 48, 32], true, true],
    [[4, 9, 9, 16], [3, 3, 16, 7], false, false],
  ] as [number[], number[], boolean, boolean][])('writes a conv over %j (filter %j, ReLU %s, bias %s) as toBf16 rounds its float32 output', (xShape, fShape, relu, withBias) => {
    const { geometry, outShape } = convGeometry(xShape, fShape, { strides: [1, 1], pad: 'valid', dilations: 1, dataFormat: 'NHWC' } as never);
    const x = bf16(randomValues(xShape.reduce((p, d) => p * d), 1));
    const filter = randomValues(fShape.reduce((p, d) => p * d), 2);
    const bias = withBias ? randomValues(fShape[3], 3) : null;
    const size = outShape.reduce((p, d) => p * d);
    const y32 = new Float32Array(size);
    const y16 = new Uint16Array(size);
    backend().addon.conv2dForwardBf16(x, filter, bias, y32, geometry, relu, 0);
    backend().addon.conv2dForwardBf16(x, filter, bias, y16, geometry, relu, 0);
    expect(same(y16, bf16(y32))).toBe(true);
    expect(y16.filter((v) => v !== 0).length).toBeGreaterThan(size / 4); // real outputs, not zeros
  });
});

// The addon's own code and the choices: any CPU the native backend runs on, so a host without bf16
// tests them too.
describeNative('the direct step\'s bf16 bookkeeping', () => {
  beforeEach(useNative);
  afterEach(() => {
    backend().bf16Policy = { ...bf16PolicyFor(backend().addon.info().isa) };
    setNativePrecision(NATIVE_BACKEND, 'fp32');
  });

  // [rows, channels]: threaded (over 2^15 values) and not, channel counts off the vector width.
  it.each([[32 * 24 * 24, 32], [5, 7], [3000, 13]])('fuses ReLU\'s gradient, its bf16 rounding and the bias sum over %i rows of %i: the bits of the three kernels', (rows, inner) => {
    const n = rows * inner;
    const dy = randomValues(n, 4).map((v) => v * 1e-3);
    // y as a conv-ReLU output: zeros, positives; a NaN and a -0 among them.
    const y = randomValues(n, 5).map((v, i) => (i === 3 ? NaN : i === 5 ? -0 : Math.max(v, 0)));
    const { addon } = backend();
    const dz = new Float32Array(n);
    addon.binary(RELU_GRAD_OP, dy, y, dz, Layout.Same, 1);
    const db = new Float32Array(inner);
    addon.sumLeading(dz, db, rows, inner);
    const dz16 = bf16(dz);
    for (const yIn of [y, bf16(y)]) {
      const got16 = new Uint16Array(n);
      const gotDb = new Float32Array(inner);
      addon.reluGradMixed(dy, yIn, got16, gotDb, inner);
      expect(same(got16, dz16), `bf16 dz, y ${yIn.constructor.name}`).toBe(true);
      expect(same(gotDb, db), `db, y ${yIn.constructor.name}`).toBe(true);
      const got32 = new Float32Array(n);
      addon.reluGradMixed(dy, yIn, got32, null, inner);
      expect(same(got32, dz), `float32 dz, y ${yIn.constructor.name}`).toBe(true);
    }
    expect(dz.some((v) => v === 0) && dz.some((v) => v !== 0)).toBe(true);
  });

  it('refuses mismatched lengths instead of reading past an array', () => {
    const { addon } = backend();
    expect(() => addon.reluGradMixed(new Float32Array(12), new Float32Array(12), new Uint16Array(12), null, 5)).toThrow(/rows/);
    expect(() => addon.reluGradMixed(new Float32Array(12), new Float32Array(10), new Uint16Array(12), null, 4)).toThrow(/hold/);
    expect(() => addon.reluGradMixed(new Float32Array(12), new Float32Array(12), new Uint16Array(12), new Float32Array(3), 4)).toThrow(/db/);
  });

  const conv = (filters: number, relu = true) => ({ kind: 'conv' as const, relu, weights: () => ({ kernel: tf.zeros([3, 3, 1, filters]) }) });
  const dense = (features: number, units: number) => ({ kind: 'dense' as const, weights: () => ({ kernel: tf.zeros([features, units]) }) });
  const FLATTEN = { kind: 'flatten' as const };
  const head = (features: number) => () => tf.zeros([features, 10]);

  it.each([
    ['every kernel in bf16', EVERY_KERNEL_BF16, [true, true, false, false]],
    // Conv 1 (1 channel) in float32, the dense layer's products too (middle dimension 32).
    ['AMX\'s', AMX_BF16_POLICY, [false, false, false, false]],
    // The products of 32 rows of 18432 by 32 are over 2^20 multiply-adds: bf16.
    ['AVX512_BF16\'s', AVX512_BF16_POLICY, [true, true, false, false]],
  ] as [string, Bf16Policy, boolean[]][])('keeps as bf16 only what bf16 kernels read, under %s policy', (_, policy, expected) => {
    setNativePrecision(NATIVE_BACKEND, 'bf16');
    backend().bf16Policy = { ...policy };
    const layers = [conv(32), conv(32), FLATTEN, dense(18432, 32)];
    expect(bf16Outputs(backend(), layers, head(32), 1, 32)).toEqual(expected);
    // A linear conv, max pooling, a small head: float32 readers.
    backend().bf16Policy = { ...EVERY_KERNEL_BF16 };
    expect(bf16Outputs(backend(), [conv(32, false), conv(32), { kind: 'maxPool' }, conv(16), FLATTEN], head(100), 1, 32)).toEqual([false, false, false, true, false]);
    backend().bf16Policy = { ...AVX512_BF16_POLICY };
    expect(bf16Outputs(backend(), [conv(32), FLATTEN], head(100), 1, 32)).toEqual([false, false]); // 32 x 100 x 10: under 2^20
    setNativePrecision(NATIVE_BACKEND, 'fp32');
    expect(bf16Outputs(backend(), layers, head(32), 1, 32)).toEqual([false, false, false, false]);
  });

  it('gives a bf16-only tensor its bf16 values and no float32 ones', () => {
    const b = backend();
    const copy = b.allocBf16(6);
    copy.set([1, 2, 3, 4, 5, 6]);
    const t = b.bf16Output([2, 3], copy);
    expect(b.bf16(t)).toBe(copy);
    expect(() => b.values(t)).toThrow(/only bf16/);
    b.disposeData(t.dataId);
    expect(b.allocBf16(6)).toBe(copy); // recycled with the tensor
  });
});
