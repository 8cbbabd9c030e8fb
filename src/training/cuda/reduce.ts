// Reductions (Sum, Mean, Max, Min, Prod, ArgMax, ArgMin, All, Any). The kernel reduces the middle
// axis of [outer, size, inner]: when the reduced axes are one contiguous run (a bias gradient
// over the batch, a row sum) no data moves; otherwise they are transposed to the end first, as
// tfjs' cpu kernels do.
import * as tf from '@tensorflow/tfjs';
import { reduceCode, REDUCE } from './codes.js';
import { deviceDtype, sizeOf } from './cuda-backend.js';
import { cudaKernel, input, type Args, type CudaKernel, type Info } from './kernel.js';
import { transposeInfo } from './shape.js';

type Reduction = (typeof REDUCE)[number];

function outputDtype(op: Reduction, x: tf.DataType): tf.DataType {
  if (op === 'ArgMax' || op === 'ArgMin') return 'int32';
  if (op === 'All' || op === 'Any') return 'bool';
  if (op === 'Mean') return 'float32';
  return x === 'bool' ? 'int32' : x; // Sum/Prod of bools count (tfjs upcasts to int32)
}

function run(op: Reduction, { inputs, backend, attrs }: Args<{ axis: number | number[]; keepDims?: boolean }>): Info {
  let x = input(op, inputs, 'x');
  const shape = x.shape;
  const axes = tf.util.parseAxisParam(attrs.axis, shape).sort((p, q) => p - q);
  const outShape = shape.filter((_, i) => !axes.includes(i));
  const keptShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = backend.makeOutput(attrs.keepDims ? keptShape : outShape, outputDtype(op, x.dtype));
  if (sizeOf(out.shape) === 0) return out;
  const temporaries: Info[] = [];
  if (op === 'Mean' && x.dtype !== 'float32') {
    const floats = backend.makeOutput([...x.shape], 'float32'); // int32 and bool (stored as int32) alike
    backend.addon.cast(deviceDtype(x.dtype), deviceDtype('float32'), backend.ptr(x), backend.ptr(floats), sizeOf(x.shape));
    temporaries.push(floats);
    x = floats;
  }
  const contiguous = axes.every((a, i) => i === 0 || a === axes[i - 1] + 1);
  let outer: number, size: number, inner: number;
  if (axes.length === 0) {
    [outer, size, inner] = [sizeOf(shape), 1, 1];
  } else if (contiguous) {
    outer = sizeOf(shape.slice(0, axes[0]));
    size = sizeOf(axes.map((a) => shape[a]));
    inner = sizeOf(shape.slice(axes[axes.length - 1] + 1));
  } else {
    const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
    const moved = transposeInfo(backend, x, [...kept, ...axes]);
    temporaries.push(moved);
    x = moved;
    [outer, size, inner] = [sizeOf(kept.map((i) => shape[i])), sizeOf(axes.map((a) => shape[a])), 1];
  }
  backend.addon.reduce(reduceCode(op), deviceDtype(x.dtype), backend.ptr(x), backend.ptr(out), outer, size, inner);
  for (const t of temporaries) backend.disposeIntermediate(t);
  return out;
}

export const REDUCE_KERNELS: CudaKernel[] = REDUCE.map((op) => cudaKernel<{ axis: number | number[]; keepDims?: boolean }>(op, (args) => run(op, args)));
