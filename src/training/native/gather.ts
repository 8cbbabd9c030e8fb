// GatherV2 over float32 values (batchDims 0): each output slice is one TypedArray.set of a
// contiguous run of x. tfjs' cpu kernel reads and writes element by element through index
// arithmetic: gathering a batch of 32 images from the training set (seeded-batches.ts, every
// step) took ~1.2 ms there, a tenth of a small model's step. Out-of-range indices fall back to
// cpu, whose kernel throws the error tfjs users know.
import * as tf from '@tensorflow/tfjs';
import { isFloat, nativeKernel, sizeOf } from './kernel.js';

export const gatherV2 = nativeKernel<{ axis: number; batchDims?: number }>('GatherV2', ({ inputs: { x, indices }, backend, attrs }) => {
  if (!isFloat(x) || !indices || (attrs.batchDims ?? 0) !== 0) return null;
  const axis = tf.util.parseAxisParam(attrs.axis, x!.shape)[0];
  const dim = x!.shape[axis];
  const idx = backend.values(indices) as unknown as tf.TypedArray; // int32 (not readSync: that marks a buffer handed out)
  for (let i = 0; i < idx.length; i++) if (!(idx[i] >= 0 && idx[i] < dim && Number.isInteger(idx[i]))) return null;
  const outer = sizeOf(x!.shape.slice(0, axis));
  const slice = sizeOf(x!.shape.slice(axis + 1));
  const outShape = [...x!.shape.slice(0, axis), ...indices.shape, ...x!.shape.slice(axis + 1)];
  const out = backend.alloc(sizeOf(outShape));
  const xs = backend.values(x!);
  for (let o = 0, at = 0; o < outer; o++) {
    const base = o * dim * slice;
    for (let i = 0; i < idx.length; i++, at += slice) out.set(xs.subarray(base + idx[i] * slice, base + (idx[i] + 1) * slice), at);
  }
  return backend.output(outShape, out);
});
