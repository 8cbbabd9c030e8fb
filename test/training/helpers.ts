// Shared by the training tests: deterministic data and kernel runners that work on any backend.
import * as tf from '@tensorflow/tfjs';
import type { ConcreteModel } from '../../src/domain/model-template.js';

/** Deterministic pseudo-random floats in [-1, 1) (mulberry32). */
export function randomValues(size: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

export interface HostTensor { values: Float32Array; shape: number[] }

export const host = (shape: number[], seed: number): HostTensor =>
  ({ values: randomValues(shape.reduce((p, d) => p * d, 1), seed), shape });

/** Runs one kernel config on the active backend and returns its output values. */
export function runKernel(kernel: tf.KernelConfig, inputs: Record<string, HostTensor>, attrs: Record<string, unknown>): HostTensor {
  const tensors = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.values, v.shape)]));
  const info = kernel.kernelFunc({ inputs: tensors, backend: tf.backend(), attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
  const out = tf.engine().makeTensorFromTensorInfo(info);
  const result = { values: out.dataSync() as Float32Array, shape: out.shape };
  tf.dispose([out, ...Object.values(tensors)]);
  return result;
}

/** max |a - b| / max |b| */
export function relativeError(a: HostTensor, b: HostTensor): number {
  if (a.shape.join() !== b.shape.join()) return Number.POSITIVE_INFINITY;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.values.length; i++) {
    diff = Math.max(diff, Math.abs(a.values[i] - b.values[i]));
    scale = Math.max(scale, Math.abs(b.values[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/** The user's notebook model (best of the reference search). */
export const NOTEBOOK_MODEL: ConcreteModel = {
  inputShape: [28, 28, 1],
  layers: [
    { type: 'conv2d', filters: 64, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu' },
    { type: 'conv2d', filters: 48, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu' },
    { type: 'flatten' },
    { type: 'dense', units: 48, activation: 'relu' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
  optimizer: { type: 'adam', learningRate: 1e-3, momentum: 0 },
  loss: 'sparseCategoricalCrossentropy',
};
