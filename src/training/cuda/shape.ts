// Kernels that move data without arithmetic: Reshape and Identity (no copy: the same device memory
// under another shape), Transpose, Slice, PadV2 and Tile (one strided-copy kernel, remap.cu),
// Concat (one 2-D copy per input), GatherV2 (batches taken out of a data set on the device).
import * as tf from '@tensorflow/tfjs';
import { bitsOf } from './codes.js';
import { sizeOf, type CudaBackend } from './cuda-backend.js';
import { cudaKernel, input, stridesOf, type CudaKernel, type Info } from './kernel.js';

/** x with its axes permuted (a new tensor). */
export function transposeInfo(backend: CudaBackend, x: Info, perm: number[]): Info {
  const out = backend.makeOutput(perm.map((p) => x.shape[p]), x.dtype);
  const n = sizeOf(out.shape);
  if (n === 0) return out;
  if (x.shape.length > 6) throw new Error(`cuda kernel Transpose: rank ${x.shape.length} > 6`);
  const strides = stridesOf(x.shape);
  const dims = out.shape.length === 0 ? [1] : out.shape;
  const inDims = perm.length === 0 ? [1] : perm.map((p) => x.shape[p]);
  const inStrides = perm.length === 0 ? [1] : perm.map((p) => strides[p]);
  backend.addon.remap(backend.ptr(x), backend.ptr(out), n, false, 0, 0, dims, inDims, inStrides, dims.map(() => 0));
  return out;
}

/** A window of x: out[i] = x[i + begin] where inside x, else `pad` (Slice, PadV2). */
export function windowInfo(backend: CudaBackend, x: Info, outShape: number[], begin: number[], pad = 0): Info {
  const out = backend.makeOutput(outShape, x.dtype);
  const n = sizeOf(outShape);
  if (n === 0) return out;
  if (x.shape.length > 6) throw new Error(`cuda kernel Slice/Pad: rank ${x.shape.length} > 6`);
  const scalar = x.shape.length === 0;
  backend.addon.remap(backend.ptr(x), backend.ptr(out), n, false, bitsOf(pad, x.dtype), 0,
    scalar ? [1] : outShape, scalar ? [1] : [...x.shape], scalar ? [1] : stridesOf(x.shape), scalar ? [0] : begin);
  return out;
}

const reshape = cudaKernel<{ shape: number[] }>('Reshape', ({ inputs, backend, attrs }) => {
  const x = input('Reshape', inputs, 'x');
  const shape = tf.util.inferFromImplicitShape([...attrs.shape], sizeOf(x.shape));
  if (sizeOf(shape) !== sizeOf(x.shape)) throw new Error(`cuda kernel Reshape: [${x.shape}] to [${shape}]`);
  return backend.share(x, shape);
});

const identity = cudaKernel('Identity', ({ inputs, backend }) => {
  const x = input('Identity', inputs, 'x');
  return backend.share(x, [...x.shape]);
});

const transpose = cudaKernel<{ perm: number[] }>('Transpose', ({ inputs, backend, attrs }) =>
  transposeInfo(backend, input('Transpose', inputs, 'x'), attrs.perm));

const slice = cudaKernel<{ begin: number | number[]; size?: number | number[] }>('Slice', ({ inputs, backend, attrs }) => {
  const x = input('Slice', inputs, 'x');
  const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size);
  return windowInfo(backend, x, size, begin);
});

const pad = cudaKernel<{ paddings: [number, number][]; constantValue: number }>('PadV2', ({ inputs, backend, attrs }) => {
  const x = input('PadV2', inputs, 'x');
  const outShape = x.shape.map((d, i) => attrs.paddings[i][0] + d + attrs.paddings[i][1]);
  return windowInfo(backend, x, outShape, attrs.paddings.map(([before]) => -before), attrs.constantValue);
});

const tile = cudaKernel<{ reps: number[] }>('Tile', ({ inputs, backend, attrs }) => {
  const x = input('Tile', inputs, 'x');
  const outShape = x.shape.map((d, i) => d * attrs.reps[i]);
  const out = backend.makeOutput(outShape, x.dtype);
  const n = sizeOf(outShape);
  if (n === 0) return out;
  if (x.shape.length > 6) throw new Error(`cuda kernel Tile: rank ${x.shape.length} > 6`);
  const scalar = x.shape.length === 0;
  backend.addon.remap(backend.ptr(x), backend.ptr(out), n, true, 0, 0,
    scalar ? [1] : outShape, scalar ? [1] : [...x.shape], scalar ? [1] : stridesOf(x.shape), scalar ? [0] : outShape.map(() => 0));
  return out;
});

const concat = cudaKernel<{ axis: number | number[] }>('Concat', ({ inputs, backend, attrs }) => {
  const all = Array.isArray(inputs) ? (inputs as Info[]) : (Object.values(inputs) as Info[]);
  const axis = tf.util.parseAxisParam(attrs.axis, all[0].shape)[0];
  const outShape = tf.backend_util.computeOutShape(all.map((t) => t.shape), axis);
  const out = backend.makeOutput(outShape, all[0].dtype);
  const outer = sizeOf(outShape.slice(0, axis));
  const rowBytes = sizeOf(outShape.slice(axis)) * 4;
  let column = 0;
  for (const t of all) {
    const width = sizeOf(t.shape.slice(axis)) * 4; // this input's part of each output row
    if (width > 0 && outer > 0) backend.addon.copy2d(backend.ptr(out) + column, rowBytes, backend.ptr(t), width, width, outer);
    column += width;
  }
  return out;
});

const gather = cudaKernel<{ axis: number; batchDims?: number }>('GatherV2', ({ inputs, backend, attrs }) => {
  const x = input('GatherV2', inputs, 'x');
  const indices = input('GatherV2', inputs, 'indices');
  if ((attrs.batchDims ?? 0) !== 0) throw new Error('cuda kernel GatherV2: batchDims > 0 is not supported');
  if (indices.dtype !== 'int32') throw new Error(`cuda kernel GatherV2: ${indices.dtype} indices, int32 expected`);
  const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0];
  const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
  const out = backend.makeOutput(outShape, x.dtype);
  backend.addon.gather(backend.ptr(x), backend.ptr(indices), backend.ptr(out), sizeOf(x.shape.slice(0, axis)), x.shape[axis],
    sizeOf(x.shape.slice(axis + 1)), sizeOf(indices.shape));
  return out;
});

export const SHAPE_KERNELS: CudaKernel[] = [reshape, identity, transpose, slice, pad, tile, concat, gather];
