// Which activation layout the float32 convolutions run on (native/src/conv-geometry.h's
// blockedActivations): below AVX-512, oneDNN's blocked copies where the input has 8 channels or
// more; NHWC otherwise. Against the CPU flags the kernel reports, not the addon's own probe. That
// both layouts give the cpu backend's results: kernels.test.ts and conv-relu.test.ts, whose cases
// have 1 to 16 input channels.
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { convGeometry } from '../../../src/training/native/conv.js';
import { NATIVE_BACKEND } from '../../../src/training/native/index.js';
import type { NativeBackend } from '../../../src/training/native/native-backend.js';
import { cpuFlags, oneDnnIsaCapped } from '../../helpers/cpu-flags.js';
import { describeNative, useNative } from './availability.js';

// oneDNN's AVX-512 kernels need avx512f, bw, vl and dq together (its avx512_core).
const flags = cpuFlags();
const avx512 = ['avx512f', 'avx512bw', 'avx512vl', 'avx512dq'].every((f) => flags.includes(f));
const ATTRS = { strides: [1, 1], pad: 'valid', dilations: 1, dataFormat: 'NHWC' } as never;

describeNative('the activation layout of the float32 convolutions', () => {
  // The notebook's conv 1 (one channel) and conv 2 (32 to 128 channels), and the edge of the rule.
  it.runIf(process.platform === 'linux' && !oneDnnIsaCapped())
    .each([[1, false], [7, false], [8, true], [32, true], [128, true]] as const)(`over %i input channels, blocked: %s below AVX-512 (this CPU: ${avx512 ? 'AVX-512' : 'below'})`, async (ci, blockedBelowAvx512) => {
    await useNative();
    const { addon } = tf.findBackend(NATIVE_BACKEND) as NativeBackend;
    const { geometry } = convGeometry([32, 26, 26, ci], [3, 3, ci, 48], ATTRS);
    const blocked = blockedBelowAvx512 && !avx512;
    for (const kind of ['forward', 'data', 'weights'] as const)
      expect(addon.conv2dImpl(geometry, kind).endsWith(' on blocked activations'), kind).toBe(blocked);
  });

  // Blocked copies over 64 MiB (a large prediction) are freed when the call ends; smaller ones are
  // kept for the next call. Either way, the same results: the pass against its two halves.
  it('gives a pass whose blocked copies pass 64 MiB the results of its halves', async () => {
    await useNative();
    const x = tf.randomUniform([48, 64, 64, 96], -1, 1, 'float32', 7) as tf.Tensor4D; // 75.5 MB
    const w = tf.randomUniform([3, 3, 96, 8], -1, 1, 'float32', 8) as tf.Tensor4D;
    const whole = tf.conv2d(x, w, 1, 'same');
    const halves = tf.concat(tf.split(x, 2).map((h) => tf.conv2d(h as tf.Tensor4D, w, 1, 'same')));
    const [a, b] = [await whole.data(), await halves.data()];
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (Math.abs(b[i]) + 1));
    expect(worst).toBeLessThanOrEqual(1e-5);
    expect(a.some((v) => v !== 0)).toBe(true);
    tf.dispose([x, w, whole, halves]);
  });
});
