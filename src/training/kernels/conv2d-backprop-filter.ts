// Why: the wasm backend has no Conv2DBackpropFilter at all (a Conv2D model cannot train there),
// and the cpu backend's own one is ~20x slower than its forward conv. The filter gradient is
// itself a forward conv, which every backend runs fast:
//   dW[a,b,ci,co] = sum_{n,i,j} x[n, i*s + a - pad, j*s + b - pad, ci] * dy[n,i,j,co]
// i.e. conv2d(x as [Ci,H,W,N], dy as [Ho,Wo,N,Co], stride 1, dilation = stride) -> [Ci,kh,kw,Co].
// (With one input channel that conv has only kh*kw output pixels, a poor GEMM shape; an im2col +
// matmul variant was no faster in a real step because XNNPACK re-packs dy on every call.)
//
// On wasm at stride 1 that conv is slow for another reason: XNNPACK packs its "filter" (all of
// dy) into a new operator on every call (44 ms of a 46 ms call for 128x26x26x64), and its
// indirect GEMM runs the huge reduction in 32-float slices (26 ms vs 13 ms for the same FLOPs as
// a forward conv at batch 32). There we use plain matmuls instead, without an im2col copy:
// with x zero-padded to the Hp x Wp pixels the windows reach and laid out [Ci, N*Hp*Wp] (xT),
// and dy zero-padded to the same pixels [N*Hp*Wp, Co] (dyP), tap (a, b) of the filter is
//   dW[a,b] = xT[:, o : o + N*Hp*Wp] . dyP,  o = a*Wp + b
// where the shifted window is a view into xT's memory (it reads past a pixel's row only where
// dyP is zero; xT carries o_max zeros at its end). dyP is the matmul's right operand in every
// tap, so XNNPACK packs it once (its operator cache is keyed by the tensor). With few input
// channels (viaIm2col) an explicit im2col of x is small, and the cheap operand to pack.
// The padding costs (Hp*Wp)/(Ho*Wo) more FLOPs (1.17x for 24x24 outputs of a 3x3 filter).
// Measured on this 2-core EPYC under load from other work, old (conv) vs new, best of 7:
// 32x26x26x64 -> 48: 44-48 vs 31-40 ms (2 threads), 46 vs 35-36 (1 thread); at batch 64 62 vs
// 44; at batch 128 a wash (123-137 vs 128-133), packing dyP ([86528, 48]) dominating there.
// 32x28x28x1 -> 64: 6-7 ms either way; at batch 128 53-54 vs 24-26 ms.
import * as tf from '@tensorflow/tfjs';
import {
  callKernel, forwardConv, heapView, release, releaseView, type Backend, type ConvGradAttrs, type Info, type WasmHeap,
} from './kernel-utils.js';

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

/** Below this many input channels, viaIm2col; from it on, viaShiftedMatmul. */
const FEW_CHANNELS = 8;

/**
 * Stride 1 on wasm with few input channels (the first conv of a model: Ci = 1): an explicit
 * im2col of x is small here ([N*Ho*Wo, kh*kw*Ci]), and as the matmul's right operand it is cheap
 * to pack, unlike dy (XNNPACK's packing of a [K, N] operand costs ~7-13 ns per element at large
 * K). dW^T [Co, kh*kw*Ci] = dy^T [Co, K] . cols [K, kh*kw*Ci], K = N*Ho*Wo.
 */
function viaIm2col(backendName: string, backend: Backend, x: Info, dy: Info, g: Geometry): Info {
  const heap = backend as unknown as WasmHeap;
  const [n, h, w, ci] = x.shape;
  const co = dy.shape[3];
  const { kh, kw, outH, outW, top, left } = g;
  const taps = kh * kw * ci;
  const cols = heap.makeOutput([n * outH * outW, taps], 'float32');
  const xv = heap.typedArrayFromHeap(x); // views after makeOutput (it may grow the heap)
  const cv = heap.typedArrayFromHeap(cols);
  let dst = 0;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < outH; i++) {
      for (let j = 0; j < outW; j++) {
        for (let a = 0; a < kh; a++) {
          const r = i + a - top;
          for (let c2 = 0; c2 < kw; c2++) {
            const s = j + c2 - left;
            if (r < 0 || r >= h || s < 0 || s >= w) {
              for (let c = 0; c < ci; c++) cv[dst++] = 0;
            } else {
              const src = ((b * h + r) * w + s) * ci;
              for (let c = 0; c < ci; c++) cv[dst++] = xv[src + c];
            }
          }
        }
      }
    }
  }
  const dy2 = { dataId: dy.dataId, shape: [n * outH * outW, co], dtype: dy.dtype }; // a reshape: same data
  const dyt = callKernel(backendName, backend, 'Transpose', { x: dy2 }, { perm: [1, 0] });
  const dwt = callKernel(backendName, backend, 'BatchMatMul', { a: dyt, b: cols }, { transposeA: false, transposeB: false });
  const dw = callKernel(backendName, backend, 'Transpose', { x: dwt }, { perm: [1, 0] });
  release(backend, cols, dyt, dwt);
  return { dataId: dw.dataId, shape: [kh, kw, ci, co], dtype: 'float32' };
}

/** Stride 1 on wasm with many input channels, see the header. */
function viaShiftedMatmul(backendName: string, backend: Backend, x: Info, dy: Info, g: Geometry): Info {
  const heap = backend as unknown as WasmHeap;
  const [n, h, w, ci] = x.shape;
  const co = dy.shape[3];
  const { kh, kw, outH, outW, top, left } = g;
  const hp = outH + kh - 1; // pixels of padded x that the windows reach
  const wp = outW + kw - 1;
  const plane = hp * wp;
  const k = n * plane;
  const tail = (kh - 1) * wp + kw - 1; // the last tap's view reads this far past xT
  const xt = heap.makeOutput([ci * k + tail], 'float32');
  const dyp = heap.makeOutput([k, co], 'float32');
  const dw = heap.makeOutput([kh, kw, ci, co], 'float32');
  // Heap views only after every makeOutput: growing the heap detaches older ones.
  const xv = heap.typedArrayFromHeap(x);
  const dyv = heap.typedArrayFromHeap(dy);
  const xtv = heap.typedArrayFromHeap(xt);
  const dypv = heap.typedArrayFromHeap(dyp);

  // xT[c, b, r + top, s + left] = x[b, r, s, c]; zeros where x is padded, and in the tail.
  const padded = top > 0 || left > 0 || hp > h + top || wp > w + left;
  if (padded) xtv.fill(0);
  else xtv.fill(0, ci * k);
  const r0 = Math.max(0, -top);
  const r1 = Math.min(h, hp - top);
  const s0 = Math.max(0, -left);
  const s1 = Math.min(w, wp - left);
  for (let b = 0; b < n; b++) {
    for (let r = r0; r < r1; r++) {
      const dstRow = b * plane + (r + top) * wp + left;
      const srcRow = (b * h + r) * w * ci;
      for (let s = s0; s < s1; s++) {
        const src = srcRow + s * ci;
        let dst = dstRow + s;
        for (let c = 0; c < ci; c++, dst += k) xtv[dst] = xv[src + c];
      }
    }
  }
  // dyP[b, r, s, :] = dy[b, r, s, :] for r < outH, s < outW; zeros elsewhere.
  dypv.fill(0);
  const rowLen = outW * co;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < outH; r++) {
      const src = (b * outH + r) * rowLen;
      dypv.set(dyv.subarray(src, src + rowLen), (b * plane + r * wp) * co);
    }
  }

  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const view = heapView(heap, xt, a * wp + b, [ci, k]);
      const out = callKernel(backendName, backend, 'BatchMatMul', { a: view, b: dyp }, { transposeA: false, transposeB: false });
      releaseView(heap, view);
      heap.typedArrayFromHeap(dw).set(heap.typedArrayFromHeap(out), (a * kw + b) * ci * co);
      release(backend, out);
    }
  }
  release(backend, xt, dyp);
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
    const g = geometry(x, dy, attrs);
    if (backendName === 'wasm' && g.sh === 1 && g.sw === 1) {
      return x.shape[3] < FEW_CHANNELS ? viaIm2col(backendName, backend, x, dy, g) : viaShiftedMatmul(backendName, backend, x, dy, g);
    }
    return viaConv(backendName, backend, x, dy, g);
  };
  return { kernelName: 'Conv2DBackpropFilter', backendName, kernelFunc: kernelFunc as tf.KernelFunc };
}
