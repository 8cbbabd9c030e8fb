// BatchMatMul and _FusedMatMul on cuBLAS (TF32 by default, strict fp32 as a setting). Batches
// broadcast when one side has a single matrix (a dense layer's kernel against a batch); a general
// broadcast of batch axes is refused. The fused bias and activation run as one epilogue pass
// (bias-activation.cu); prelu, and a bias that is not one value per output column, go through
// the element-wise kernels.
import { activationCode, binaryCode } from './codes.js';
import { sizeOf, type CudaBackend } from './cuda-backend.js';
import { broadcast, cudaKernel, input, kernelDims, requireFloat, type CudaKernel, type Info } from './kernel.js';

interface MatMulAttrs { transposeA: boolean; transposeB: boolean; activation?: string; leakyreluAlpha?: number }

function product(backend: CudaBackend, name: string, a: Info, b: Info, ta: boolean, tb: boolean): Info {
  requireFloat(name, a, b);
  const ra = a.shape.length, rb = b.shape.length;
  if (ra < 2 || rb < 2) throw new Error(`cuda kernel ${name}: rank ${Math.min(ra, rb)} input`);
  const m = ta ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = ta ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = tb ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = tb ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) throw new Error(`cuda kernel ${name}: inner dimensions ${k} and ${kb} differ`);
  const batchA = a.shape.slice(0, -2), batchB = b.shape.slice(0, -2);
  const sa = sizeOf(batchA), sb = sizeOf(batchB);
  let batchShape: number[];
  if (sa === sb && (batchA.length === batchB.length || sa === 1)) batchShape = batchA.length >= batchB.length ? batchA : batchB;
  else if (sa === 1) batchShape = batchB;
  else if (sb === 1) batchShape = batchA;
  else throw new Error(`cuda kernel ${name}: batch shapes [${batchA}] and [${batchB}] need a general broadcast`);
  const out = backend.makeOutput([...batchShape, m, n], 'float32');
  backend.addon.matMul(backend.ptr(a), backend.ptr(b), backend.ptr(out), Math.max(sa, sb), m, n, k, ta, tb, sa === 1 ? 0 : m * k, sb === 1 ? 0 : k * n);
  return out;
}

const batchMatMul = cudaKernel<MatMulAttrs>('BatchMatMul', ({ inputs, backend, attrs }) =>
  product(backend, 'BatchMatMul', input('BatchMatMul', inputs, 'a'), input('BatchMatMul', inputs, 'b'), attrs.transposeA, attrs.transposeB));

/** In place on `y` ([..., cols]): y = act(y + bias), the epilogue of a fused dense or conv layer. */
export function epilogue(backend: CudaBackend, name: string, y: Info, bias: Info | undefined, prelu: Info | undefined, activation: string | undefined, alpha: number): Info {
  const cols = y.shape[y.shape.length - 1] ?? 1;
  const rows = sizeOf(y.shape) / (cols || 1);
  const act = activationCode(activation);
  const simpleBias = !bias || sizeOf(bias.shape) === cols;
  if (bias) requireFloat(name, bias);
  if (act !== undefined && simpleBias) {
    backend.addon.biasActivation(backend.ptr(y), bias ? backend.ptr(bias) : null, rows, cols, act, alpha);
    return y;
  }
  let out = y;
  if (bias) {
    // A broadcast bias (not one value per column): a general Add into the same buffer.
    const { shape, strides } = broadcast(name, y.shape, bias.shape);
    if (sizeOf(shape) !== sizeOf(y.shape)) throw new Error(`cuda kernel ${name}: bias [${bias.shape}] widens the output [${y.shape}]`);
    backend.addon.binary(binaryCode('Add'), 0, backend.ptr(y), backend.ptr(bias), backend.ptr(y), sizeOf(shape), kernelDims(shape), strides[0], strides[1]);
  }
  if (activation === 'prelu') {
    if (!prelu) throw new Error(`cuda kernel ${name}: prelu without its weights`);
    // prelu(x) = x < 0 ? w * x : x = relu(x) - w * relu(-x)... done directly as select(x < 0, w * x, x).
    const { shape, strides } = broadcast(name, y.shape, prelu.shape);
    const scaled = backend.makeOutput([...y.shape], 'float32');
    backend.addon.binary(binaryCode('Multiply'), 0, backend.ptr(y), backend.ptr(prelu), backend.ptr(scaled), sizeOf(shape), kernelDims(shape), strides[0], strides[1]);
    const negative = backend.makeOutput([...y.shape], 'bool');
    const zero = backend.makeOutput([], 'float32');
    backend.addon.fill(backend.ptr(zero), 0, 1);
    const zs = broadcast(name, y.shape, []);
    backend.addon.binary(binaryCode('Less'), 0, backend.ptr(y), backend.ptr(zero), backend.ptr(negative), sizeOf(y.shape), kernelDims(zs.shape), zs.strides[0], zs.strides[1]);
    out = backend.makeOutput([...y.shape], 'float32');
    const same = kernelDims(y.shape).map((_, i, d) => d.slice(i + 1).reduce((p, q) => p * q, 1));
    backend.addon.select(backend.ptr(negative), backend.ptr(scaled), backend.ptr(y), backend.ptr(out), sizeOf(y.shape), kernelDims(y.shape), same, same, same);
    for (const t of [scaled, negative, zero, y]) backend.disposeIntermediate(t);
  } else if (act !== undefined) {
    backend.addon.unary(act, 0, backend.ptr(y), backend.ptr(y), sizeOf(y.shape), alpha, 0);
  } else {
    throw new Error(`cuda kernel ${name}: activation '${activation}' is not supported`);
  }
  return out;
}

const fusedMatMul = cudaKernel<MatMulAttrs>('_FusedMatMul', ({ inputs, backend, attrs }) => {
  const y = product(backend, '_FusedMatMul', input('_FusedMatMul', inputs, 'a'), input('_FusedMatMul', inputs, 'b'), attrs.transposeA, attrs.transposeB);
  return epilogue(backend, '_FusedMatMul', y, inputs.bias, inputs.preluActivationWeights, attrs.activation, attrs.leakyreluAlpha ?? 0.2);
});

export const MATMUL_KERNELS: CudaKernel[] = [batchMatMul, fusedMatMul];
