// Sum over leading axes (bias gradients) or trailing axes in the addon; other axes and dtypes
// fall back to cpu.
import * as tf from '@tensorflow/tfjs';
import { isFloat, nativeKernel, sizeOf } from './kernel.js';

export const sum = nativeKernel<{ axis: number | number[]; keepDims: boolean }>('Sum', ({ inputs: { x }, backend, attrs }) => {
  if (!isFloat(x)) return null;
  const shape = x!.shape;
  const axes = tf.util.parseAxisParam(attrs.axis, shape).sort((p, q) => p - q);
  if (axes.length === 0 || new Set(axes).size !== axes.length) return null;
  const leading = axes.every((a, i) => a === i);
  const trailing = axes.every((a, i) => a === shape.length - axes.length + i);
  if (!leading && !trailing) return null;
  const reduced = sizeOf(axes.map((a) => shape[a]));
  const kept = sizeOf(shape) / (reduced || 1);
  const outShape = attrs.keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
  const out = backend.alloc(sizeOf(outShape));
  if (reduced === 0) out.fill(0);
  else if (out.length > 0) {
    const xs = backend.values(x!);
    if (leading) backend.addon.sumLeading(xs, out, reduced, kept);
    else backend.addon.sumTrailing(xs, out, kept, reduced);
  }
  return backend.output(outShape, out);
});

export const REDUCE_KERNELS = [sum];
