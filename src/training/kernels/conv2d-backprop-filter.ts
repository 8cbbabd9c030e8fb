// Why: the wasm backend has no Conv2DBackpropFilter at all (a Conv2D model cannot train there),
// and the cpu backend's own one is ~20x slower than its forward conv. The filter gradient is
// itself a forward conv, which every backend runs fast:
//   dW[a,b,ci,co] = sum_{n,i,j} x[n, i*s + a - pad, j*s + b - pad, ci] * dy[n,i,j,co]
// i.e. conv2d(x as [Ci,H,W,N], dy as [Ho,Wo,N,Co], stride 1, dilation = stride) -> [Ci,kh,kw,Co].
// (With one input channel that conv has only kh*kw output pixels, a poor GEMM shape; an im2col +
// matmul variant was no faster in a real step because XNNPACK re-packs dy on every call.)
import * as tf from '@tensorflow/tfjs';
import { callKernel, forwardConv, release, type Backend, type ConvGradAttrs, type Info } from './kernel-utils.js';

interface Attrs extends ConvGradAttrs {
  filterShape: [number, number, number, number];
}

interface Geometry {
  kh: number; kw: number; sh: number; sw: number; outH: number; outW: number;
  top: number; bottom: number; left: number; right: number; // padding of x; negative = rows never read
}

function geometry(x: Info, dy: Info, attrs: Attrs): Geometry {
  const [, h, w] = x.shape;
  const [, outH, outW] = dy.shape;
  const [kh, kw] = attrs.filterShape;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode,
  );
  const { strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  // Extent the strided windows actually reach; 'valid' with a stride may leave the last rows unread.
  return {
    kh, kw, sh, sw, outH, outW, top, left,
    bottom: (outH - 1) * sh + kh - h - top,
    right: (outW - 1) * sw + kw - w - left,
  };
}

function viaConv(backendName: string, backend: Backend, x: Info, dy: Info, g: Geometry): Info {
  const created: Info[] = [];
  let xt = callKernel(backendName, backend, 'Transpose', { x }, { perm: [3, 1, 2, 0] }); // [Ci,H,W,N]
  created.push(xt);
  let { bottom, right } = g;
  if (bottom < 0 || right < 0) {
    const size = [xt.shape[0], xt.shape[1] + Math.min(bottom, 0), xt.shape[2] + Math.min(right, 0), xt.shape[3]];
    xt = callKernel(backendName, backend, 'Slice', { x: xt }, { begin: [0, 0, 0, 0], size });
    created.push(xt);
    bottom = Math.max(bottom, 0);
    right = Math.max(right, 0);
  }
  const dyt = callKernel(backendName, backend, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [Ho,Wo,N,Co]
  created.push(dyt);
  const out = forwardConv(backendName, backend, xt, dyt, [[g.top, bottom], [g.left, right]], [g.sh, g.sw]); // [Ci,kh,kw,Co]
  created.push(out);
  const dw = callKernel(backendName, backend, 'Transpose', { x: out }, { perm: [1, 2, 0, 3] }); // [kh,kw,Ci,Co]
  release(backend, ...created);
  return dw;
}

export function conv2dBackpropFilterConfig(backendName: string, fallback?: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: Backend; attrs?: tf.NamedAttrMap }): Info => {
    const { inputs, backend } = args;
    const attrs = args.attrs as unknown as Attrs;
    if (attrs.dataFormat === 'NCHW') {
      if (!fallback) throw new Error(`Conv2DBackpropFilter: NCHW is not supported on '${backendName}'`);
      return fallback.kernelFunc(args) as Info;
    }
    const x = inputs.x as Info;
    const dy = inputs.dy as Info;
    return viaConv(backendName, backend, x, dy, geometry(x, dy, attrs));
  };
  return { kernelName: 'Conv2DBackpropFilter', backendName, kernelFunc: kernelFunc as tf.KernelFunc };
}
