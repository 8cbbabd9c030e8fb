// What every native kernel is: a function of the kernel's inputs and attributes that either
// returns its output or null, meaning "not a case the addon covers: use the cpu backend's kernel".
import * as tf from '@tensorflow/tfjs';
import type { NativeBackend } from './native-backend.js';

export type Info = tf.TensorInfo;
export interface Args<A = Record<string, unknown>> {
  inputs: Record<string, Info | undefined>;
  backend: NativeBackend;
  attrs: A;
}
export interface NativeKernel {
  name: string;
  run(args: Args<never>): Info | null;
}

/** Declares a kernel with typed attributes. */
export const nativeKernel = <A>(name: string, run: (args: Args<A>) => Info | null): NativeKernel =>
  ({ name, run: run as NativeKernel['run'] });

export const isFloat = (...infos: (Info | undefined)[]): boolean => infos.every((t) => t !== undefined && t.dtype === 'float32');
export const sizeOf = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);
export const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);
