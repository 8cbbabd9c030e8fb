// Why: the wasm backend's MaxPoolGrad takes ~35 ns per window element (28 ms per step for a 2x2
// pool over 32x28x28x32), more than the convolutions around it. It cannot be written exactly with
// forward ops (ties must send the gradient to the first maximum only, as TensorFlow does), so
// this is a direct JS loop over the wasm heap: per output pixel, the first argmax of every
// channel within the window gets dy.
import * as tf from '@tensorflow/tfjs';
import type { Backend, Info } from './kernel-utils.js';

interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(t: Info): Float32Array;
}

interface Attrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function maxPoolGradConfig(backendName: string, original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: Backend; attrs?: tf.NamedAttrMap }): Info => {
    const { dy: dyInfo, input } = args.inputs as { dy: Info; input: Info };
    const attrs = args.attrs as unknown as Attrs;
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode,
    );
    if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return original.kernelFunc(args) as Info;
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
    const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
    const { top, left } = info.padInfo;

    const heap = args.backend as unknown as HeapBackend;
    const out = heap.makeOutput(input.shape, 'float32');
    // Views after makeOutput (it may grow the heap and detach older ones).
    const x = heap.typedArrayFromHeap(input);
    const dy = heap.typedArrayFromHeap(dyInfo);
    const dx = heap.typedArrayFromHeap(out);
    dx.fill(0);
    const best = new Float32Array(c);
    const where = new Int32Array(c);
    for (let b = 0; b < n; b++) {
      for (let oy = 0; oy < oh; oy++) {
        const y0 = Math.max(oy * sh - top, 0);
        const y1 = Math.min(oy * sh - top + fh, h);
        for (let ox = 0; ox < ow; ox++) {
          const x0 = Math.max(ox * sw - left, 0);
          const x1 = Math.min(ox * sw - left + fw, w);
          best.fill(Number.NEGATIVE_INFINITY);
          where.fill(-1);
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const base = ((b * h + iy) * w + ix) * c;
              for (let ch = 0; ch < c; ch++) {
                const v = x[base + ch];
                if (v > best[ch] || where[ch] < 0) { best[ch] = v; where[ch] = base + ch; }
              }
            }
          }
          const g = ((b * oh + oy) * ow + ox) * c;
          for (let ch = 0; ch < c; ch++) if (where[ch] >= 0) dx[where[ch]] += dy[g + ch];
        }
      }
    }
    return out;
  };
  return {
    kernelName: 'MaxPoolGrad', backendName, kernelFunc: kernelFunc as tf.KernelFunc,
    setupFunc: original.setupFunc, disposeFunc: original.disposeFunc,
  };
}
