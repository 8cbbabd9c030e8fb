// Conv2D, FusedConv2D and both Conv2D gradients on cuDNN (native-cuda/src/conv.cc), NHWC only.
// cuDNN wants filters as KRSC ([out, kh, kw, in]) where tfjs keeps HWIO ([kh, kw, in, out]), so
// filters are transposed on the way in and filter gradients on the way out (one small copy each).
// cuDNN pads symmetrically only: for tfjs' asymmetric 'same' cases (an even extent, or a stride
// that does not divide) the input is padded here, and the input gradient is computed for the
// padded input and cropped.
import * as tf from '@tensorflow/tfjs';
import type { ConvAttrs } from '../window-attrs.js';
import type { CudaBackend } from './cuda-backend.js';
import { cudaKernel, input, requireFloat, type CudaKernel, type Info } from './kernel.js';
import { epilogue } from './matmul.js';
import { transposeInfo, windowInfo } from './shape.js';

interface Layout {
  /** [n, ih, iw, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, ph, pw] of the (padded) convolution cuDNN runs. */
  geometry: number[];
  outShape: number[];
  /** Set when the input must be padded by hand: the padded shape and where the input sits in it. */
  padded?: { shape: number[]; offset: number[] };
}

function layout(kernel: string, xShape: number[], filterShape: number[], a: ConvAttrs): Layout {
  if ((a.dataFormat ?? 'NHWC') !== 'NHWC') throw new Error(`cuda kernel ${kernel}: NCHW is not supported`);
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, false, 'channelsLast',
  );
  const { batchSize: n, inHeight: ih, inWidth: iw, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { top, bottom, left, right } = info.padInfo;
  const rest = [oh, ow, co, info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth];
  const outShape = [n, oh, ow, co];
  if (top === bottom && left === right) return { geometry: [n, ih, iw, ci, ...rest, top, left], outShape };
  const shape = [n, ih + top + bottom, iw + left + right, ci];
  return { geometry: [n, shape[1], shape[2], ci, ...rest, 0, 0], outShape, padded: { shape, offset: [0, top, left, 0] } };
}

/** tfjs' HWIO filter as cuDNN's KRSC. */
const toKRSC = (backend: CudaBackend, filter: Info) => transposeInfo(backend, filter, [3, 0, 1, 2]);

/** The input as the convolution reads it (padded by hand when the padding is asymmetric). */
function convInput(backend: CudaBackend, x: Info, l: Layout): Info {
  if (!l.padded) return x;
  return windowInfo(backend, x, l.padded.shape, l.padded.offset.map((o) => -o));
}

function forward(backend: CudaBackend, kernel: string, x: Info, filter: Info, attrs: ConvAttrs): Info {
  requireFloat(kernel, x, filter);
  const l = layout(kernel, [...x.shape], [...filter.shape], attrs);
  const xp = convInput(backend, x, l);
  const w = toKRSC(backend, filter);
  const y = backend.makeOutput(l.outShape, 'float32');
  backend.addon.conv2dForward(backend.ptr(xp), backend.ptr(w), backend.ptr(y), l.geometry);
  backend.disposeIntermediate(w);
  if (xp !== x) backend.disposeIntermediate(xp);
  return y;
}

const conv2d = cudaKernel<ConvAttrs>('Conv2D', ({ inputs, backend, attrs }) =>
  forward(backend, 'Conv2D', input('Conv2D', inputs, 'x'), input('Conv2D', inputs, 'filter'), attrs));

interface FusedAttrs extends ConvAttrs { activation?: string; leakyreluAlpha?: number }

const fusedConv2d = cudaKernel<FusedAttrs>('FusedConv2D', ({ inputs, backend, attrs }) => {
  const y = forward(backend, 'FusedConv2D', input('FusedConv2D', inputs, 'x'), input('FusedConv2D', inputs, 'filter'), attrs);
  return epilogue(backend, 'FusedConv2D', y, inputs.bias, inputs.preluActivationWeights, attrs.activation, attrs.leakyreluAlpha ?? 0.2);
});

const conv2dBackpropInput = cudaKernel<ConvAttrs & { inputShape: number[] }>('Conv2DBackpropInput', ({ inputs, backend, attrs }) => {
  const dy = input('Conv2DBackpropInput', inputs, 'dy');
  const filter = input('Conv2DBackpropInput', inputs, 'filter');
  requireFloat('Conv2DBackpropInput', dy, filter);
  const l = layout('Conv2DBackpropInput', [...attrs.inputShape], [...filter.shape], { ...attrs, dilations: 1 });
  const w = toKRSC(backend, filter);
  const dxp = backend.makeOutput(l.padded ? l.padded.shape : [...attrs.inputShape], 'float32');
  backend.addon.conv2dBackwardData(backend.ptr(dy), backend.ptr(w), backend.ptr(dxp), l.geometry);
  backend.disposeIntermediate(w);
  if (!l.padded) return dxp;
  const dx = windowInfo(backend, dxp, [...attrs.inputShape], l.padded.offset); // crop the padding's gradient away
  backend.disposeIntermediate(dxp);
  return dx;
});

const conv2dBackpropFilter = cudaKernel<ConvAttrs & { filterShape: number[] }>('Conv2DBackpropFilter', ({ inputs, backend, attrs }) => {
  const x = input('Conv2DBackpropFilter', inputs, 'x');
  const dy = input('Conv2DBackpropFilter', inputs, 'dy');
  requireFloat('Conv2DBackpropFilter', x, dy);
  const [kh, kw, ci, co] = attrs.filterShape;
  const l = layout('Conv2DBackpropFilter', [...x.shape], [...attrs.filterShape], { ...attrs, dilations: 1 });
  const xp = convInput(backend, x, l);
  const dwK = backend.makeOutput([co, kh, kw, ci], 'float32');
  backend.addon.conv2dBackwardFilter(backend.ptr(xp), backend.ptr(dy), backend.ptr(dwK), l.geometry);
  if (xp !== x) backend.disposeIntermediate(xp);
  const dw = transposeInfo(backend, dwK, [1, 2, 3, 0]); // KRSC back to HWIO
  backend.disposeIntermediate(dwK);
  return dw;
});

export const CONV_KERNELS: CudaKernel[] = [conv2d, fusedConv2d, conv2dBackpropInput, conv2dBackpropFilter];
