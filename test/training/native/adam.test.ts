// The fused Adam update (native/src/adam.cc, compiled per instruction set) against tfjs' own Adam
// on the cpu backend: the same float32 operations in the same order, so the same bits, on the
// vector path, its remainder and across OpenMP's chunks.
import * as tf from '@tensorflow/tfjs';
import { expect, it, vi } from 'vitest';
import { initBackend } from '../../../src/training/backend.js';
import type { NativeBackend } from '../../../src/training/native/native-backend.js';
import { randomValues } from '../helpers.js';
import { describeNative, useNative } from './availability.js';

// Above the kernel's parallel threshold (2 chunks of 16,384), and not a multiple of any vector width.
const N = 100_003;
const start = randomValues(N, 3);
const gradients = [randomValues(N, 4), randomValues(N, 5).map((v) => v * 1e-3), randomValues(N, 6).map((v) => v * 50)];

/** Three Adam steps from the same values; the variable and both moments after each. */
async function adamSteps(useBackend: () => Promise<unknown>): Promise<Float32Array[]> {
  await useBackend();
  const w = tf.variable(tf.tensor1d(start));
  const optimizer = tf.train.adam(0.01, 0.9, 0.999, 1e-7);
  const out: Float32Array[] = [];
  for (const g of gradients) {
    const gradient = tf.tensor1d(g);
    optimizer.applyGradients([{ name: w.name, tensor: gradient }]);
    gradient.dispose();
    const [iterations, ...moments] = await optimizer.getWeights(); // [iterations, first moment, second moment]
    iterations.tensor.dispose();
    out.push(w.dataSync().slice() as Float32Array, ...moments.map((s) => s.tensor.dataSync().slice() as Float32Array));
  }
  optimizer.dispose();
  w.dispose();
  return out;
}

describeNative('the fused Adam update', () => {
  it('gives the same bits as tfjs op by op, for the weights and both moments', async () => {
    const expected = await adamSteps(() => initBackend('cpu'));
    let fused: ReturnType<typeof vi.spyOn> | undefined;
    const actual = await adamSteps(async () => {
      await useNative();
      fused = vi.spyOn((tf.backend() as NativeBackend).addon, 'adam');
    });
    expect(fused).toHaveBeenCalledTimes(3);
    fused!.mockRestore();
    expect(actual.length).toBe(9); // per step: the variable, its first and its second moment
    actual.forEach((values, i) => expect(Buffer.from(values.buffer).equals(Buffer.from(expected[i].buffer)), `array ${i}`).toBe(true));
  });
});
