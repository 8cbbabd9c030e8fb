// The attributes tfjs gives its convolution and pooling kernels, and the pooling geometry as the
// `native` and `cuda` addons both take it: one definition for both backends' kernels.
import * as tf from '@tensorflow/tfjs';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

export interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** [n, ih, iw, c, oh, ow, fh, fw, sh, sw, pt, pl] for either addon's pooling kernels, and the output shape. */
export function poolGeometry(xShape: number[], a: PoolAttrs): { geometry: number[]; outShape: number[] } {
  const info = tf.backend_util.computePool2DInfo(xShape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  return {
    geometry: [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
      info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left],
    outShape: [info.batchSize, info.outHeight, info.outWidth, info.outChannels],
  };
}
