// Why: the wasm backend's Tile computes every output index separately: 24 ms to tile a [1,1,1,32]
// vector to 32x14x14x32, which batchNormalization's gradient does on every step (160 ms at
// 32x26x26x64). Tiling is block copies: one axis at a time, innermost first, each a repeated
// TypedArray#set. Strings go to the backend's own kernel.
import * as tf from '@tensorflow/tfjs';
import type { Backend, Info } from './kernel-utils.js';

type Values = Float32Array | Int32Array | Uint8Array;
interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(t: Info): Values;
}

const prod = (dims: number[]) => dims.reduce((p, d) => p * d, 1);

/** Row-major tile of `src` (shape) by reps. */
export function tileValues(src: Values, shape: number[], reps: number[]): Values {
  let data = src;
  const current = [...shape];
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const times = reps[axis];
    if (times === 1) continue;
    const block = prod(current.slice(axis)); // one slice along `axis` and everything inside it
    const outer = prod(current.slice(0, axis));
    const next = new (data.constructor as new (n: number) => Values)(outer * block * times);
    for (let o = 0; o < outer; o++) {
      const piece = data.subarray(o * block, (o + 1) * block);
      for (let t = 0; t < times; t++) next.set(piece, (o * times + t) * block);
    }
    data = next;
    current[axis] *= times;
  }
  return data;
}

export function tileConfig(backendName: string, original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: Backend; attrs?: tf.NamedAttrMap }): Info => {
    const x = args.inputs.x as Info;
    const reps = (args.attrs as { reps: number[] }).reps;
    if (x.dtype === 'string' || reps.length !== x.shape.length) return original.kernelFunc(args) as Info;
    const heap = args.backend as unknown as HeapBackend;
    const values = tileValues(heap.typedArrayFromHeap(x).slice(), x.shape, reps);
    const out = heap.makeOutput(x.shape.map((d, i) => d * reps[i]), x.dtype);
    heap.typedArrayFromHeap(out).set(values); // view taken after makeOutput, which may grow the heap
    return out;
  };
  return {
    kernelName: 'Tile', backendName, kernelFunc: kernelFunc as tf.KernelFunc,
    setupFunc: original.setupFunc, disposeFunc: original.disposeFunc,
  };
}
