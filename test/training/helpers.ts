// Shared by the training tests: deterministic data and kernel runners that work on any backend.
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../src/domain/rng.js';

/** Deterministic pseudo-random floats in [-1, 1). */
export function randomValues(size: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: size }, () => rand() * 2 - 1);
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

export { NOTEBOOK_MODEL } from '../fixtures/reference-search.js';
