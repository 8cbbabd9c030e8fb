// Softmax over the last axis, in one pass per row. tfjs' cpu kernel calls its own max, sub, exp,
// sum and div (never ours), and its sub and div take the generic broadcast path for the row's max
// and sum, ~1 µs an element: a classifier's [32, 10] output cost more than its dense layer. The
// same steps and roundings as that kernel (each step's result rounded to float32; the sum
// accumulated in double, as cpu's sum does), so the values are the same bits.
import { isFloat, nativeKernel, sizeOf } from './kernel.js';

export const softmax = nativeKernel<{ dim: number }>('Softmax', ({ inputs: { logits }, backend, attrs }) => {
  if (!isFloat(logits)) return null;
  const shape = logits!.shape;
  const rank = shape.length;
  // cpu's kernel throws on any other axis: let it say so.
  if (rank === 0 || (attrs.dim !== -1 && attrs.dim !== rank - 1)) return null;
  const width = shape[rank - 1];
  const x = backend.values(logits!);
  const out = backend.alloc(sizeOf(shape));
  const f = Math.fround;
  for (let start = 0; start < out.length; start += width) {
    const end = start + width;
    let max = x[start];
    for (let i = start + 1; i < end; i++) if (x[i] > max || Number.isNaN(x[i])) max = x[i];
    let sum = 0;
    for (let i = start; i < end; i++) {
      out[i] = f(Math.exp(f(x[i] - max)));
      sum += out[i];
    }
    const total = f(sum);
    for (let i = start; i < end; i++) out[i] = out[i] / total;
  }
  return backend.output([...shape], out);
});
