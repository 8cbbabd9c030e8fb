// Element-wise kernels: the unary ops (activations, math, ClipByValue, LeakyRelu, Step), the binary
// ops with broadcasting (arithmetic and comparisons, EluGrad), Select, Cast, the fills
// (ZerosLike, OnesLike, Fill), OneHot and Softmax.
import * as tf from '@tensorflow/tfjs';
import { BINARY, binaryCode, bitsOf, isComparison, UNARY, unaryCode } from './codes.js';
import { deviceDtype, sizeOf } from './cuda-backend.js';
import { broadcast, cudaKernel, input, kernelDims, requireFloat, type CudaKernel, type Info } from './kernel.js';

// Unary ops that keep an int32 input int32 (tfjs' cpu kernels do too); all others are float32-only.
const INT_UNARY = new Set<string>(['Neg', 'Abs', 'Square', 'Sign', 'LogicalNot']); // LogicalNot: bool, stored as int32

const unary = (name: (typeof UNARY)[number]) => cudaKernel<{ alpha?: number; clipValueMin?: number; clipValueMax?: number }>(name, ({ inputs, backend, attrs }) => {
  const x = input(name, inputs, 'x');
  if (x.dtype !== 'float32' && !INT_UNARY.has(name)) throw new Error(`cuda kernel ${name}: ${x.dtype} input, float32 expected`);
  const out = backend.makeOutput([...x.shape], x.dtype);
  // Step's alpha is its value for x <= 0; ClipByValue passes its bounds as alpha/beta.
  const alpha = name === 'ClipByValue' ? attrs.clipValueMin! : (attrs.alpha ?? 0);
  const beta = name === 'ClipByValue' ? attrs.clipValueMax! : 0;
  backend.addon.unary(unaryCode(name), deviceDtype(x.dtype), backend.ptr(x), backend.ptr(out), sizeOf(x.shape), alpha, beta);
  return out;
});

const binary = (name: (typeof BINARY)[number]) => cudaKernel(name, ({ inputs, backend }) => {
  const a = input(name, inputs, 'a');
  const b = input(name, inputs, 'b');
  if (a.dtype === 'string' || b.dtype === 'string') throw new Error(`cuda kernel ${name}: string inputs`);
  if (deviceDtype(a.dtype) !== deviceDtype(b.dtype)) throw new Error(`cuda kernel ${name}: ${a.dtype} with ${b.dtype}`);
  const code = binaryCode(name);
  const { shape, strides } = broadcast(name, a.shape, b.shape);
  const out = backend.makeOutput(shape, isComparison(code) ? 'bool' : a.dtype);
  backend.addon.binary(code, deviceDtype(a.dtype), backend.ptr(a), backend.ptr(b), backend.ptr(out), sizeOf(shape), kernelDims(shape), strides[0], strides[1]);
  return out;
});

// EluGrad's inputs are named dy and y.
const eluGrad = cudaKernel('EluGrad', ({ inputs, backend }) => {
  const dy = input('EluGrad', inputs, 'dy');
  const y = input('EluGrad', inputs, 'y');
  requireFloat('EluGrad', dy, y);
  const out = backend.makeOutput([...dy.shape], 'float32');
  const { shape, strides } = broadcast('EluGrad', dy.shape, y.shape);
  backend.addon.binary(binaryCode('EluGrad'), 0, backend.ptr(dy), backend.ptr(y), backend.ptr(out), sizeOf(shape), kernelDims(shape), strides[0], strides[1]);
  return out;
});

const select = cudaKernel('Select', ({ inputs, backend }) => {
  const condition = input('Select', inputs, 'condition');
  const t = input('Select', inputs, 't');
  const e = input('Select', inputs, 'e');
  // tfjs allows a rank-1 condition selecting whole rows of t/e: broadcast it along the trailing axes.
  const cShape = condition.shape.length === 1 && t.shape.length > 1 ? [condition.shape[0], ...t.shape.slice(1).map(() => 1)] : condition.shape;
  const { shape, strides } = broadcast('Select', cShape, t.shape, e.shape);
  const out = backend.makeOutput(shape, t.dtype);
  backend.addon.select(backend.ptr(condition), backend.ptr(t), backend.ptr(e), backend.ptr(out), sizeOf(shape), kernelDims(shape), strides[0], strides[1], strides[2]);
  return out;
});

const cast = cudaKernel<{ dtype: tf.DataType }>('Cast', ({ inputs, backend, attrs }) => {
  const x = input('Cast', inputs, 'x');
  const to = attrs.dtype;
  if (to === x.dtype || (to === 'int32' && x.dtype === 'bool')) {
    // Same bits on the device (bool is int32 0/1): share the memory, as tfjs' cpu Cast does.
    return to === x.dtype ? backend.share(x, [...x.shape]) : backend.copyOf(x, 'int32');
  }
  const out = backend.makeOutput([...x.shape], to);
  const n = sizeOf(x.shape);
  if (to === 'bool') backend.addon.castToBool(deviceDtype(x.dtype), backend.ptr(x), backend.ptr(out), n);
  else backend.addon.cast(deviceDtype(x.dtype), deviceDtype(to), backend.ptr(x), backend.ptr(out), n);
  return out;
});

function filled(backend: Parameters<CudaKernel['run']>[0]['backend'], shape: number[], dtype: tf.DataType, value: number): Info {
  const out = backend.makeOutput(shape, dtype);
  backend.addon.fill(backend.ptr(out), bitsOf(value, dtype), sizeOf(shape));
  return out;
}
const zerosLike = cudaKernel('ZerosLike', ({ inputs, backend }) => { const x = input('ZerosLike', inputs, 'x'); return filled(backend, [...x.shape], x.dtype, 0); });
const onesLike = cudaKernel('OnesLike', ({ inputs, backend }) => { const x = input('OnesLike', inputs, 'x'); return filled(backend, [...x.shape], x.dtype, 1); });
const fill = cudaKernel<{ shape: number[]; value: number; dtype?: tf.DataType }>('Fill', ({ backend, attrs }) =>
  filled(backend, [...attrs.shape], attrs.dtype ?? 'float32', attrs.value));

const oneHot = cudaKernel<{ depth: number; onValue: number; offValue: number; dtype: tf.DataType }>('OneHot', ({ inputs, backend, attrs }) => {
  const indices = input('OneHot', inputs, 'indices');
  if (indices.dtype !== 'int32') throw new Error(`cuda kernel OneHot: ${indices.dtype} indices, int32 expected`);
  const dtype = attrs.dtype ?? 'int32';
  const out = backend.makeOutput([...indices.shape, attrs.depth], dtype);
  backend.addon.oneHot(backend.ptr(indices), backend.ptr(out), sizeOf(indices.shape), attrs.depth, bitsOf(attrs.onValue, dtype), bitsOf(attrs.offValue, dtype));
  return out;
});

const softmax = cudaKernel<{ dim: number }>('Softmax', ({ inputs, backend, attrs }) => {
  const logits = input('Softmax', inputs, 'logits');
  requireFloat('Softmax', logits);
  const rank = logits.shape.length;
  if (attrs.dim !== -1 && attrs.dim !== rank - 1) throw new Error(`cuda kernel Softmax: only the last axis (dim ${attrs.dim} of rank ${rank})`);
  const cols = logits.shape[rank - 1] ?? 1;
  const out = backend.makeOutput([...logits.shape], 'float32');
  backend.addon.softmax(backend.ptr(logits), backend.ptr(out), sizeOf(logits.shape) / (cols || 1), cols);
  return out;
});

export const ELEMENTWISE_KERNELS: CudaKernel[] = [
  ...UNARY.filter((n) => n !== 'Identity').map(unary),
  ...BINARY.filter((n) => n !== 'EluGrad').map(binary),
  eluGrad, select, cast, zerosLike, onesLike, fill, oneHot, softmax,
];
