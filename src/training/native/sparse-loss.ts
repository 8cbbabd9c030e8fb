// SPARSE_CROSS_ENTROPY, its gradient and SPARSE_ACCURACY (../sparse-loss.ts routes a model's loss
// and metric to them), in plain JS loops over the [n, classes] rows: what tfjs-layers' ops compute,
// step by step with the same float32 roundings (sums accumulated in double, as cpu's Sum), so that
// the loss and accuracy are the same bits as on cpu and the gradient is tfjs' chain rule through
// the same steps:
//   label  = int32(floor(y))                  (NaN and ±Infinity become 0, as tfjs' cast does)
//   p'     = clip(p, ε, 1 − ε)                 sparse cross-entropy's clip
//   q      = p' / Σ p'                          categorical cross-entropy's normalization
//   loss   = −log(clip(q, ε, 1 − ε)[label])     0 for a label outside [0, classes), as oneHot gives
import * as tf from '@tensorflow/tfjs';
import { SPARSE_ACCURACY, SPARSE_CROSS_ENTROPY } from '../sparse-loss.js';
import type { Args, Info } from './kernel.js';

const SPARSE_CROSS_ENTROPY_GRAD = 'HypertuneSparseCrossEntropyGrad';
/** The kernels native has beyond tfjs' (only the routed loss and metric run them). */
export const SPARSE_LOSS_KERNELS = [SPARSE_CROSS_ENTROPY, SPARSE_CROSS_ENTROPY_GRAD, SPARSE_ACCURACY] as const;

const f = Math.fround;
// tfjs-layers' epsilon() is 1e-7. clipByValue compares float32 values against the double bounds
// and stores a bound rounded to float32 (so clip() of a float32 value is a float32 value); its
// gradient compares against the bounds rounded to float32, which no float32 value tells apart.
const EPS = 1e-7;
const clip = (v: number): number => (v > 1 - EPS ? f(1 - EPS) : v < EPS ? f(EPS) : v);
const inRange = (v: number): boolean => v >= EPS && v <= 1 - EPS; // clipByValue's gradient's mask

/** Row i's label as tfjs' one-hot sees it: a class index, or -1 for none. */
function labelOf(labels: Float32Array, i: number, width: number): number {
  const t = Math.floor(labels[i]) | 0;
  return t >= 0 && t < width ? t : -1;
}

/** Σ clip(p) over the row, accumulated in double and rounded once, as cpu's Sum. */
function clippedSum(p: Float32Array, start: number, width: number): number {
  let s = 0;
  for (let j = start; j < start + width; j++) s += clip(p[j]);
  return f(s);
}

/** clip(q) at index `at`, q = clip(p) / Σ clip(p). */
const clippedShare = (p: Float32Array, at: number, sum: number): number => clip(f(clip(p[at]) / sum));

/** A kernel's [n, classes] probabilities and their labels, as the backend holds them. */
function rowsOf({ inputs: { labels, probs }, backend }: Args): { n: number; width: number; p: Float32Array; y: Float32Array } {
  const [n, width] = probs!.shape;
  return { n, width, p: backend.values(probs!), y: backend.values(labels!) };
}

export function crossEntropy(args: Args): Info {
  const { n, width, p, y } = rowsOf(args);
  const { backend } = args;
  const out = backend.alloc(n);
  for (let i = 0; i < n; i++) {
    const label = labelOf(y, i, width);
    const sum = clippedSum(p, i * width, width);
    // −Σ one-hot · log q: the label's term alone, the others being 0 · finite (NaN in a NaN row).
    if (label >= 0) out[i] = -f(Math.log(clippedShare(p, i * width + label, sum)));
    else out[i] = Number.isNaN(sum) ? NaN : -0;
  }
  return backend.output([n], out);
}

/**
 * d loss / d p for each row, by tfjs' gradients of the steps above: −dy / clip(q) at the label
 * (masked by the second clip), through the division (dq / s, and −Σ (dq · p') / s² for the sum,
 * added to every class), masked by the first clip.
 */
export function crossEntropyGrad(args: Args): Info {
  const { n, width, p, y } = rowsOf(args);
  const { inputs: { dy }, backend } = args;
  const g = backend.values(dy!);
  const out = backend.alloc(n * width);
  for (let i = 0; i < n; i++) {
    const start = i * width;
    const label = labelOf(y, i, width);
    const sum = clippedSum(p, start, width);
    const pt = label >= 0 ? clip(p[start + label]) : 0;
    const q = f(pt / sum);
    const dq = label >= 0 && inRange(q) ? f(-g[i] / clip(q)) : 0;
    const dSum = -f(f(dq * pt) / f(sum * sum));
    for (let j = start; j < start + width; j++) {
      const dShare = f((j === start + label ? dq : 0) / sum);
      out[j] = inRange(p[j]) ? f(dShare + dSum) : 0;
    }
  }
  return backend.output([n, width], out);
}

export function accuracy(args: Args): Info {
  const { n, width, p, y } = rowsOf(args);
  const { backend } = args;
  const out = backend.alloc(n);
  for (let i = 0; i < n; i++) {
    // argMax as cpu's: the first largest; NaN never larger, so a NaN first entry keeps index 0.
    let best = 0;
    for (let j = 1; j < width; j++) if (p[i * width + j] > p[i * width + best]) best = j;
    out[i] = y[i] === best ? 1 : 0;
  }
  return backend.output([n], out);
}

/** Registers the three kernels on `backendName` and the loss kernel's gradient (once per process). */
export function registerSparseLoss(backendName: string): void {
  const runs = [crossEntropy, crossEntropyGrad, accuracy];
  SPARSE_LOSS_KERNELS.forEach((kernelName, i) => tf.registerKernel({ kernelName, backendName, kernelFunc: runs[i] as unknown as tf.KernelFunc }));
  tf.registerGradient({
    kernelName: SPARSE_CROSS_ENTROPY,
    inputsToSave: ['labels', 'probs'],
    gradFunc: (dy, saved) => {
      const [labels, probs] = saved;
      return {
        probs: () => tf.engine().runKernel(SPARSE_CROSS_ENTROPY_GRAD, { dy: dy as tf.Tensor, labels, probs }) as tf.Tensor,
        labels: () => tf.zerosLike(labels),
      };
    },
  });
}
