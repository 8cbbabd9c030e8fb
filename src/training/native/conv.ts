// Conv2D, FusedConv2D (bias and ReLU fused; inference and tfjs' non-gradient path) and both
// Conv2D gradients on oneDNN. NCHW, other fused activations and PReLU fall back to cpu. While the
// backend's precision is 'bf16', each of them takes its activations and gradients as bf16 and
// writes float32 (mixed precision, conv-bf16.cc; the filter stays float32 on this side), except
// over too few input channels (bf16-policy.ts: geometry[3]).
import * as tf from '@tensorflow/tfjs';
import type { ConvAttrs } from '../window-attrs.js';
import { isFloat, nativeKernel, sizeOf, type Info } from './kernel.js';
import type { NativeBackend } from './native-backend.js';

/** [n, ih, iw, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr] for the addon. */
export function convGeometry(xShape: number[], filterShape: number[], a: ConvAttrs): { geometry: number[]; outShape: number[] } {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, false, 'channelsLast',
  );
  const { batchSize: n, inHeight: ih, inWidth: iw, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, padInfo } = info;
  const { top, left } = padInfo;
  // Bottom/right padding that makes oneDNN's (in - extent + pads) / stride + 1 equal tfjs' output size
  // (negative when a 'valid' stride leaves the last rows unread).
  const bottom = (oh - 1) * sh + info.effectiveFilterHeight - ih - top;
  const right = (ow - 1) * sw + info.effectiveFilterWidth - iw - left;
  return {
    geometry: [n, ih, iw, ci, oh, ow, co, info.filterHeight, info.filterWidth, sh, sw, dh, dw, top, left, bottom, right],
    outShape: [n, oh, ow, co],
  };
}

const nhwc = (a: ConvAttrs) => (a.dataFormat ?? 'NHWC') === 'NHWC';

/** y as bf16 (a Uint16Array): only where the conv runs in bf16 (native's direct step, conv-relu.ts). */
export function forward(backend: NativeBackend, x: Info, filter: Info, bias: Info | undefined, y: Float32Array | Uint16Array, geometry: number[], relu: boolean): void {
  const b = bias ? backend.values(bias) : null;
  if (backend.convInBf16(geometry[3])) backend.addon.conv2dForwardBf16(backend.bf16(x), backend.values(filter), b, y, geometry, relu, backend.serial(filter));
  else if (y instanceof Float32Array) backend.addon.conv2dForward(backend.values(x), backend.values(filter), b, y, geometry, relu);
  else throw new Error('conv: a bf16 output needs the conv to run in bf16');
}

/**
 * The filter's gradient into dw and, with db, the bias's: in float32 from oneDNN's same pass
 * (diff_bias); in bf16 the filter's in bf16 and the bias's a float32 sum of dy.
 */
export function filterGradient(backend: NativeBackend, x: Info, dy: Info, dw: Float32Array, geometry: number[], db?: Float32Array): void {
  if (backend.convInBf16(geometry[3])) {
    backend.addon.conv2dBackwardWeightsBf16(backend.bf16(x), backend.bf16(dy), dw, geometry);
    if (db) backend.addon.sumLeading(backend.values(dy), db, sizeOf(dy.shape) / db.length, db.length);
  } else backend.addon.conv2dBackwardWeights(backend.values(x), backend.values(dy), dw, geometry, db);
}

export const conv2d = nativeKernel<ConvAttrs>('Conv2D', ({ inputs: { x, filter }, backend, attrs }) => {
  if (!nhwc(attrs) || !isFloat(x, filter)) return null;
  const { geometry, outShape } = convGeometry(x!.shape, filter!.shape, attrs);
  const y = backend.alloc(sizeOf(outShape));
  forward(backend, x!, filter!, undefined, y, geometry, false);
  return backend.output(outShape, y);
});

interface FusedAttrs extends ConvAttrs { activation?: string; leakyreluAlpha?: number }

export const fusedConv2d = nativeKernel<FusedAttrs>('FusedConv2D', ({ inputs, backend, attrs }) => {
  const { x, filter, bias, preluActivationWeights } = inputs;
  const activation = attrs.activation ?? 'linear';
  if (!nhwc(attrs) || !isFloat(x, filter) || preluActivationWeights) return null;
  if (activation !== 'linear' && activation !== 'relu') return null;
  const co = filter!.shape[3];
  if (bias && (!isFloat(bias) || sizeOf(bias.shape) !== co || bias.shape.length > 1)) return null;
  const { geometry, outShape } = convGeometry(x!.shape, filter!.shape, attrs);
  const y = backend.alloc(sizeOf(outShape));
  forward(backend, x!, filter!, bias, y, geometry, activation === 'relu');
  return backend.output(outShape, y);
});

export const conv2dBackpropInput = nativeKernel<ConvAttrs & { inputShape: number[] }>('Conv2DBackpropInput', ({ inputs: { dy, filter }, backend, attrs }) => {
  if (!nhwc(attrs) || !isFloat(dy, filter)) return null;
  const { geometry } = convGeometry(attrs.inputShape, filter!.shape, { ...attrs, dilations: 1 });
  const dx = backend.alloc(sizeOf(attrs.inputShape));
  if (backend.convInBf16(geometry[3])) backend.addon.conv2dBackwardDataBf16(backend.bf16(dy!), backend.values(filter!), dx, geometry);
  else backend.addon.conv2dBackwardData(backend.values(dy!), backend.values(filter!), dx, geometry);
  return backend.output([...attrs.inputShape], dx);
});

export const conv2dBackpropFilter = nativeKernel<ConvAttrs & { filterShape: number[] }>('Conv2DBackpropFilter', ({ inputs: { x, dy }, backend, attrs }) => {
  if (!nhwc(attrs) || !isFloat(x, dy)) return null;
  const { geometry } = convGeometry(x!.shape, attrs.filterShape, { ...attrs, dilations: 1 });
  const dw = backend.alloc(sizeOf(attrs.filterShape));
  filterGradient(backend, x!, dy!, dw, geometry);
  return backend.output([...attrs.filterShape], dw);
});

export const CONV_KERNELS = [conv2d, fusedConv2d, conv2dBackpropInput, conv2dBackpropFilter];
