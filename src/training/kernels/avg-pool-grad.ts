// Why: tfjs' AvgPoolGrad is wrong next to 'same' padding, on every backend. The forward pass
// averages over the window's real (unpadded) inputs, as Keras does, but the gradient divides by
// the whole window: at a 3x3 corner, 1/9 instead of 1/4 (found by the finite-difference check of
// test/training/gradient-matrix.test.ts). The fix scales dy by window area / real inputs per
// output position, then lets the backend's own kernel spread it: exact, and any backend can run
// it because it is two existing kernels.
import * as tf from '@tensorflow/tfjs';
import { callKernel, fromValues, release, type Backend, type Info } from './kernel-utils.js';

interface Attrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** window area / inputs inside the window, per output position: [1, outH, outW, 1]. */
export function avgPoolGradScale(info: tf.backend_util.Conv2DInfo): Float32Array {
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const { filterHeight: fh, filterWidth: fw, padInfo: { top, left } } = info;
  const scale = new Float32Array(oh * ow);
  for (let i = 0; i < oh; i++) {
    const rows = Math.min(h, i * sh - top + fh) - Math.max(0, i * sh - top);
    for (let j = 0; j < ow; j++) {
      const cols = Math.min(w, j * sw - left + fw) - Math.max(0, j * sw - left);
      scale[i * ow + j] = (fh * fw) / (rows * cols);
    }
  }
  return scale;
}

export function avgPoolGradConfig(backendName: string, original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: Backend; attrs?: tf.NamedAttrMap }): Info => {
    const { dy, input } = args.inputs as { dy: Info; input: Info };
    const attrs = args.attrs as unknown as Attrs;
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode,
    );
    const scale = avgPoolGradScale(info);
    if (scale.every((s) => s === 1)) return original.kernelFunc(args) as Info; // no window touches padding
    const scaleInfo = fromValues(args.backend, [1, info.outHeight, info.outWidth, 1], scale);
    const scaled = callKernel(backendName, args.backend, 'Multiply', { a: dy, b: scaleInfo });
    try {
      return original.kernelFunc({ ...args, inputs: { dy: scaled, input } }) as Info;
    } finally {
      release(args.backend, scaleInfo, scaled);
    }
  };
  return { kernelName: 'AvgPoolGrad', backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
