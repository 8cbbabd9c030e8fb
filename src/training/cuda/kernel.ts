// What every cuda kernel is: tfjs' kernel function shape with the cuda backend typed in, plus the
// helpers most of them need (broadcast strides, dtype checks).
import * as tf from '@tensorflow/tfjs';
import type { CudaBackend } from './cuda-backend.js';

export type Info = tf.TensorInfo;
export interface Args<A = Record<string, unknown>> {
  inputs: Record<string, Info | undefined> & Info[];
  backend: CudaBackend;
  attrs: A;
}
export interface CudaKernel {
  name: string;
  run(args: Args<never>): Info | Info[];
}

/** Declares a kernel with typed attributes. */
export const cudaKernel = <A>(name: string, run: (args: Args<A>) => Info | Info[]): CudaKernel =>
  ({ name, run: run as CudaKernel['run'] });

/** The input, or an error naming the kernel and input (tfjs' ops always pass them; direct calls may not). */
export function input(kernel: string, inputs: Args['inputs'], name: string): Info {
  const t = inputs[name];
  if (!t) throw new Error(`cuda kernel ${kernel}: input '${name}' missing`);
  return t;
}

/** Throws unless every tensor is float32: the float-only kernels (conv, matmul, pooling...). */
export function requireFloat(kernel: string, ...infos: Info[]): void {
  const other = infos.find((t) => t.dtype !== 'float32');
  if (other) throw new Error(`cuda kernel ${kernel}: ${other.dtype} input, float32 expected`);
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = s;
    s *= shape[i];
  }
  return out;
}

/** Strides of `shape` read along `out` (numpy broadcasting: leading axes added, size-1 axes stride 0). */
export function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const own = stridesOf(shape);
  const lead = out.length - shape.length;
  return out.map((_, i) => (i < lead || shape[i - lead] === 1 ? 0 : own[i - lead]));
}

/** The output shape, and each input's strides along it; at most 6 axes (the kernels' limit). */
export function broadcast(kernel: string, ...shapes: (readonly number[])[]): { shape: number[]; strides: number[][] } {
  let shape: number[] = [...shapes[0]];
  for (const s of shapes.slice(1)) shape = tf.backend_util.assertAndGetBroadcastShape(shape, [...s]);
  // Rank 0 (scalars): one axis of 1, so the kernels always have an axis to walk.
  const dims = shape.length === 0 ? [1] : shape;
  if (dims.length > 6) throw new Error(`cuda kernel ${kernel}: rank ${dims.length} > 6`);
  return { shape, strides: shapes.map((s) => broadcastStrides(s, dims)) };
}

/** The broadcast's axes as the kernels take them (never empty). */
export const kernelDims = (shape: number[]): number[] => (shape.length === 0 ? [1] : shape);
