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

/** The loss of each of `steps` trainOnBatch calls on the same batch. */
export async function stepLosses(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, steps: number): Promise<number[]> {
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) losses.push(((await model.trainOnBatch(x, y)) as number[])[0]);
  return losses;
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

/** Conv geometries every conv kernel test covers: strides 1-3, k 3/5, same/valid/explicit pads, few and many channels. */
export type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
export interface ConvCase { n: number; h: number; w: number; ci: number; co: number; k: number; s: number; pad: Pad; d?: number }
export const CONV_CASES: ConvCase[] = [
  { n: 2, h: 7, w: 7, ci: 3, co: 4, k: 3, s: 1, pad: 'same' },
  { n: 2, h: 8, w: 9, ci: 3, co: 5, k: 3, s: 2, pad: 'same' },
  { n: 2, h: 8, w: 9, ci: 3, co: 5, k: 3, s: 2, pad: 'valid' },
  { n: 3, h: 11, w: 10, ci: 2, co: 3, k: 5, s: 2, pad: 'valid' },
  { n: 2, h: 9, w: 9, ci: 4, co: 2, k: 5, s: 1, pad: 'same' },
  { n: 2, h: 10, w: 10, ci: 1, co: 6, k: 5, s: 1, pad: 'valid' },
  { n: 3, h: 9, w: 8, ci: 1, co: 4, k: 3, s: 2, pad: 'same' },
  { n: 2, h: 12, w: 11, ci: 3, co: 4, k: 5, s: 3, pad: 'same' },
  // Many input channels: wasm's filter gradient takes its matmul-per-tap path (not im2col).
  { n: 2, h: 8, w: 9, ci: 12, co: 5, k: 3, s: 1, pad: 'valid' },
  { n: 3, h: 7, w: 7, ci: 16, co: 3, k: 5, s: 1, pad: 'same' },
  // Explicit padding (tfjs allows it; our templates do not produce it): big bottom/right pads.
  { n: 2, h: 9, w: 8, ci: 2, co: 3, k: 3, s: 2, pad: [[0, 0], [0, 4], [3, 0], [0, 0]] },
  { n: 2, h: 7, w: 7, ci: 2, co: 3, k: 3, s: 1, pad: [[0, 0], [2, 1], [0, 3], [0, 0]] }, // right pad > k - 1
];
