// Why: the wasm backend's Transpose is a generic strided loop; for the NHWC -> CHWN swap our filter
// gradient needs at 32x26x26x64 it takes 14 ms, with 64-float strides fighting over cache sets.
// A blocked copy in JS straight on the wasm heap takes 5 ms. Handles perms that swap the outer
// and inner axis groups ([A,B,C] -> [C,B,A], 2-D transposes included); others go to the
// backend's own kernel.
import * as tf from '@tensorflow/tfjs';
import type { Backend, Info } from './kernel-utils.js';

interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(t: Info): Float32Array;
}

const TILE = 16;
const prod = (dims: number[]) => dims.reduce((p, d) => p * d, 1);

/** [p, q] when perm = [q..r-1, p..q-1, 0..p-1] with 0 < p <= q < r, else null. */
export function outerInnerSwap(perm: number[]): [number, number] | null {
  const r = perm.length;
  for (let p = 1; p < r; p++) {
    for (let q = p; q < r; q++) {
      const expected = [...Array(r - q).keys()].map((i) => q + i)
        .concat([...Array(q - p).keys()].map((i) => p + i), [...Array(p).keys()]);
      if (expected.every((v, i) => v === perm[i])) return [p, q];
    }
  }
  return null;
}

/** dst[c, b, a] = src[a, b, c], in TILE x TILE blocks of (a, c). */
function swap(src: Float32Array, dst: Float32Array, A: number, B: number, C: number): void {
  for (let b = 0; b < B; b++) {
    for (let a0 = 0; a0 < A; a0 += TILE) {
      const a1 = Math.min(a0 + TILE, A);
      for (let c0 = 0; c0 < C; c0 += TILE) {
        const c1 = Math.min(c0 + TILE, C);
        for (let a = a0; a < a1; a++) {
          const s = (a * B + b) * C;
          for (let c = c0; c < c1; c++) dst[(c * B + b) * A + a] = src[s + c];
        }
      }
    }
  }
}

export function transposeConfig(backendName: string, original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: Backend; attrs?: tf.NamedAttrMap }): Info => {
    const x = args.inputs.x as Info;
    const perm = (args.attrs as { perm: number[] }).perm;
    const groups = x.dtype === 'float32' ? outerInnerSwap(perm) : null;
    if (!groups) return original.kernelFunc(args) as Info;
    const [p, q] = groups;
    const heap = args.backend as unknown as HeapBackend;
    const out = heap.makeOutput(perm.map((axis) => x.shape[axis]), 'float32');
    // Views only after makeOutput: growing the heap detaches earlier ones.
    swap(heap.typedArrayFromHeap(x), heap.typedArrayFromHeap(out), prod(x.shape.slice(0, p)), prod(x.shape.slice(p, q)), prod(x.shape.slice(q)));
    return out;
  };
  return {
    kernelName: 'Transpose', backendName, kernelFunc: kernelFunc as tf.KernelFunc,
    setupFunc: original.setupFunc, disposeFunc: original.disposeFunc,
  };
}
