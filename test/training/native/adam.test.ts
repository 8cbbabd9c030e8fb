// The fused Adam update (native/src/adam.cc, compiled per instruction set) against tfjs' own Adam
// on the cpu backend: the same float32 operations in the same order, so the same bits, on the
// vector path, its remainder and across OpenMP's chunks; in place only where nothing else sees the
// variable's values.
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

/**
 * Three Adam steps from the same values: the variable and both moments after each step
 * (`readEachStep`), or only after the last (nothing read between steps); the variable's data id
 * after each.
 */
async function adamSteps(useBackend: () => Promise<unknown>, readEachStep: boolean): Promise<{ values: Float32Array[]; dataIds: object[] }> {
  await useBackend();
  const w = tf.variable(tf.tensor1d(start));
  const optimizer = tf.train.adam(0.01, 0.9, 0.999, 1e-7);
  const values: Float32Array[] = [];
  const dataIds: object[] = [];
  const read = async () => {
    const [iterations, ...moments] = await optimizer.getWeights(); // [iterations, first moment, second moment]
    iterations.tensor.dispose();
    values.push(...[w, ...moments.map((s) => s.tensor)].map((t) => t.dataSync().slice() as Float32Array));
  };
  for (const [i, g] of gradients.entries()) {
    const gradient = tf.tensor1d(g);
    optimizer.applyGradients([{ name: w.name, tensor: gradient }]);
    gradient.dispose();
    dataIds.push(w.dataId);
    if (readEachStep || i === gradients.length - 1) await read();
  }
  optimizer.dispose();
  w.dispose();
  return { values, dataIds };
}

const sameBits = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer).equals(Buffer.from(b.buffer));

/** The same steps on cpu (tfjs' Adam) and native (fused); the addon's calls on native. */
async function againstCpu(readEachStep: boolean) {
  const expected = await adamSteps(() => initBackend('cpu'), readEachStep);
  let fused: ReturnType<typeof vi.spyOn> | undefined;
  const actual = await adamSteps(async () => {
    await useNative();
    fused = vi.spyOn((tf.backend() as NativeBackend).addon, 'adam');
  }, readEachStep);
  const calls = fused!.mock.calls;
  fused!.mockRestore();
  return { expected, actual, calls };
}

describeNative('the fused Adam update', () => {
  it('gives the same bits as tfjs op by op, for the weights and both moments, read after every step', async () => {
    const { expected, actual, calls } = await againstCpu(true);
    expect(calls.length).toBe(3);
    expect(actual.values.length).toBe(9); // per step: the variable, its first and its second moment
    actual.values.forEach((values, i) => expect(sameBits(values, expected.values[i]), `array ${i}`).toBe(true));
  });

  it('updates in place once the arrays are its own, with the same bits, each step under a new data id', async () => {
    const { expected, actual, calls } = await againstCpu(false);
    // args: p, m, v, g, pOut, mOut, vOut. The first step's inputs are arrays tfjs made (the
    // variable's from tensor1d, the moments' from zerosLike): not ours to overwrite.
    expect(calls.map((args: unknown[]) => [0, 1, 2].map((i) => args[i + 4] === args[i]))).toEqual([[false, false, false], [true, true, true], [true, true, true]]);
    expect(actual.values.length).toBe(3);
    actual.values.forEach((values, i) => expect(sameBits(values, expected.values[i]), `array ${i}`).toBe(true));
    // bf16 copies and the addon's filter layouts are cached by data id: each step must have its own.
    expect(new Set(actual.dataIds).size).toBe(3);
  });

  it('leaves alone values that were read or that another tensor shares', async () => {
    await useNative();
    const backend = tf.backend() as NativeBackend;
    const read = tf.variable(tf.tensor1d(start));
    const shared = tf.variable(tf.tensor1d(start));
    const optimizer = tf.train.adam(0.01);
    const step = (g: Float32Array) => {
      const tensors = [read, shared].map(() => tf.tensor1d(g));
      optimizer.applyGradients([{ name: read.name, tensor: tensors[0] }, { name: shared.name, tensor: tensors[1] }]);
      tf.dispose(tensors);
    };
    step(gradients[0]); // both now hold arrays the backend made
    expect([read, shared].map((t) => backend.soleOwner(t))).toEqual([true, true]);
    const handedOut = read.dataSync();
    const before = handedOut.slice();
    const alias = shared.reshape([N]);
    const aliasBefore = backend.values(alias).slice();
    expect([read, shared].map((t) => backend.soleOwner(t))).toEqual([false, false]);
    step(gradients[1]);
    expect(sameBits(handedOut as Float32Array, before as Float32Array)).toBe(true);
    expect(sameBits(backend.values(alias), aliasBefore)).toBe(true);
    expect(sameBits(read.dataSync() as Float32Array, before as Float32Array)).toBe(false); // it did step
    tf.dispose([alias, read, shared]);
    optimizer.dispose();
  });

  it('writes the bf16 copy of a weight a bf16 kernel read, as toBf16 rounds the new values', async () => {
    await useNative();
    const backend = tf.backend() as NativeBackend;
    const [bf16Read, notRead] = [tf.variable(tf.tensor1d(start)), tf.variable(tf.tensor1d(start))];
    const optimizer = tf.train.adam(0.01);
    const step = (g: Float32Array) => {
      const tensors = [g, g].map((v) => tf.tensor1d(v));
      optimizer.applyGradients([{ name: bf16Read.name, tensor: tensors[0] }, { name: notRead.name, tensor: tensors[1] }]);
      tf.dispose(tensors);
    };
    step(gradients[0]);
    backend.bf16(bf16Read); // as a bf16 product reads a dense kernel
    step(gradients[1]);
    expect([bf16Read, notRead].map((t) => backend.hasBf16(t))).toEqual([true, false]);
    const toBf16 = vi.spyOn(backend.addon, 'toBf16');
    const copy = backend.bf16(bf16Read).slice(); // Adam's, not a conversion
    expect(toBf16).not.toHaveBeenCalled();
    const expected = new Uint16Array(N);
    toBf16.mockRestore();
    backend.addon.toBf16(backend.values(bf16Read), expected);
    expect(Buffer.from(copy.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    // and the float32 values as without a copy
    expect(sameBits(backend.values(bf16Read), backend.values(notRead))).toBe(true);
    tf.dispose([bf16Read, notRead]);
    optimizer.dispose();
  });
});
