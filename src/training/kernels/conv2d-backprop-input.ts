// Why: the wasm backend's own Conv2DBackpropInput is 7-12x slower than its forward conv (this
// one: 1.2x at stride 1, 2-2.6x at stride 2); the cpu one is ~1.6x slower than this. The input
// gradient is a "full" correlation of dy with the filter rotated 180 degrees, in/out channels
// swapped: one forward conv2d. For stride s > 1 we use the sub-pixel (phase) decomposition instead of dilating dy with
// zeros (s^2 wasted multiply-adds): output pixel t + pad = q*s + r only meets filter taps
// a = m*s + r, so one stride-1 conv of dy with s*s sub-filters as output channels (each
// M = ceil(k/s) taps wide) computes every phase; a JS pass interleaves them (wasm's DepthToSpace
// took longer than the conv itself).
//   dx[q*s + r - pad] = sum_m dy[q - m] W[m*s + r]
// Unequal strides (never produced by our templates) go to the backend's own kernel.
// On GPU backends (no host reads) only stride 1 with a square filter is rewritten: the filter is
// reversed and its channels swapped with device kernels; other cases go to the backend's own.
import * as tf from '@tensorflow/tfjs';
import { callKernel, forwardConv, fromValues, readsOnHost, release, type Backend, type ConvGradAttrs, type Info } from './kernel-utils.js';

interface Attrs extends ConvGradAttrs {
  inputShape: [number, number, number, number];
}

/**
 * W [k,k,Ci,Co] -> F [M,M,Co,s*s*Ci] with F[i,j,co,(rh*s+rw)*Ci+ci] = W[(M-1-i)*s+rh, (M-1-j)*s+rw, ci, co]
 * (zero where the tap is past the filter): the reversed sub-filter of every phase, phases as
 * output channels in DepthToSpace order. Filters are small, so this is plain JS.
 */
function phaseFilter(w: Float32Array, k: number, kw: number, ci: number, co: number, s: number): { values: Float32Array; shape: number[] } {
  const m = Math.ceil(Math.max(k, kw) / s);
  const depth = s * s * ci;
  const out = new Float32Array(m * m * co * depth);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      for (let rh = 0; rh < s; rh++) {
        const a = (m - 1 - i) * s + rh;
        if (a >= k) continue;
        for (let rw = 0; rw < s; rw++) {
          const b = (m - 1 - j) * s + rw;
          if (b >= kw) continue;
          for (let c = 0; c < ci; c++) {
            const src = ((a * kw + b) * ci + c) * co;
            const dst = (i * m + j) * co * depth + (rh * s + rw) * ci + c;
            for (let o = 0; o < co; o++) out[dst + o * depth] = w[src + o];
          }
        }
      }
    }
  }
  return { values: out, shape: [m, m, co, depth] };
}

/** dx[n,t,u,c] = z[n, (t+offY)/s, (u+offX)/s, (((t+offY)%s)*s + (u+offX)%s)*ci + c]: depth-to-space and crop in one pass. */
function interleave(z: Float32Array, zShape: number[], s: number, offY: number, offX: number, dxShape: number[]): Float32Array {
  const [n, h, w, ci] = dxShape;
  const [, rows, cols, depth] = zShape;
  const out = new Float32Array(n * h * w * ci);
  let dst = 0;
  for (let b = 0; b < n; b++) {
    for (let t = 0; t < h; t++) {
      const q = Math.floor((t + offY) / s);
      const rh = (t + offY) % s;
      for (let u = 0; u < w; u++) {
        const src = ((b * rows + q) * cols + Math.floor((u + offX) / s)) * depth + (rh * s + ((u + offX) % s)) * ci;
        for (let c = 0; c < ci; c++) out[dst++] = z[src + c];
      }
    }
  }
  return out;
}

export function conv2dBackpropInputConfig(backendName: string, fallback?: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: Backend; attrs?: tf.NamedAttrMap }): Info => {
    const { inputs, backend } = args;
    const attrs = args.attrs as unknown as Attrs;
    const dy = inputs.dy as Info;
    const filter = inputs.filter as Info;
    const [n, h, w, ci] = attrs.inputShape;
    const [kh, kw, , co] = filter.shape;
    const info = tf.backend_util.computeConv2DInfo(
      attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, 1, attrs.pad, attrs.dimRoundingMode,
    );
    const s = info.strideHeight;
    if (attrs.dataFormat === 'NCHW' || info.strideWidth !== s) {
      if (!fallback) throw new Error(`Conv2DBackpropInput: NCHW or unequal strides are not supported on '${backendName}'`);
      return fallback.kernelFunc(args) as Info;
    }
    const onHost = readsOnHost(backendName);
    if (!onHost && (s !== 1 || kh !== kw)) {
      if (!fallback) throw new Error(`Conv2DBackpropInput: strides > 1 or non-square filters are not supported on '${backendName}'`);
      return fallback.kernelFunc(args) as Info;
    }
    const m = Math.ceil(Math.max(kh, kw) / s);
    const created: Info[] = [];
    let phases: Info;
    if (onHost) {
      const f = phaseFilter((backend as tf.KernelBackend).readSync(filter.dataId) as Float32Array, kh, kw, ci, co, s);
      phases = fromValues(backend, f.shape, f.values);
    } else { // stride 1, square: the phase filter is just W rotated 180 degrees, [k,k,Co,Ci]
      const reversed = callKernel(backendName, backend, 'Reverse', { x: filter }, { dims: [0, 1] });
      phases = callKernel(backendName, backend, 'Transpose', { x: reversed }, { perm: [0, 1, 3, 2] });
      release(backend, reversed);
    }
    created.push(phases);

    // Per spatial axis: z rows q0.. of the phase conv are needed, q0 = floor(pad / s); dx then
    // starts (pad mod s) rows into the interleaved result.
    const axis = (size: number, pad: number, outSize: number) => {
      const q0 = Math.floor(pad / s);
      const rows = Math.ceil((size + pad) / s) - q0;
      return { front: m - 1 - q0, back: rows - outSize + q0, rows, offset: pad % s };
    };
    const y = axis(h, info.padInfo.top, dy.shape[1]);
    const x = axis(w, info.padInfo.left, dy.shape[2]);
    let src = dy;
    if (y.back < 0 || x.back < 0) { // explicit bottom/right padding: the last dy rows reach past dx
      const size = [n, dy.shape[1] + Math.min(y.back, 0), dy.shape[2] + Math.min(x.back, 0), co];
      src = callKernel(backendName, backend, 'Slice', { x: dy }, { begin: [0, 0, 0, 0], size });
      created.push(src);
    }
    const z = forwardConv(backendName, backend, src, phases, [[y.front, Math.max(y.back, 0)], [x.front, Math.max(x.back, 0)]], [1, 1]);
    if (s === 1) { // z is dx already (the rows line up exactly)
      release(backend, ...created);
      return z;
    }
    const zValues = (backend as tf.KernelBackend).readSync(z.dataId) as Float32Array;
    release(backend, ...created, z);
    return fromValues(backend, [n, h, w, ci], interleave(zValues, z.shape, s, y.offset, x.offset, [n, h, w, ci]));
  };
  return { kernelName: 'Conv2DBackpropInput', backendName, kernelFunc: kernelFunc as tf.KernelFunc };
}
