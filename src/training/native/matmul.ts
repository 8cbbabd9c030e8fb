// BatchMatMul and _FusedMatMul (bias and ReLU) through oneDNN (its matmul primitive, or sgemm for a
// single row: matmul.cc). Batch dimensions must be equal or one side a single matrix; other
// broadcasts, activations and PReLU fall back to cpu.
// While the backend's precision is 'bf16', both operands go in as bf16 and the product comes out
// float32 (oneDNN's matmul, matmul-bf16.cc): a dense layer's forward and both its gradients,
// unless bf16-policy.ts keeps the product in float32.
import * as tf from '@tensorflow/tfjs';
import { isFloat, nativeKernel, sameShape, sizeOf, type Args, type Info } from './kernel.js';

interface MatMulAttrs { transposeA: boolean; transposeB: boolean; activation?: string; leakyreluAlpha?: number }

function matMul({ inputs, backend, attrs }: Args<MatMulAttrs>, bias?: Info, relu = false): Info | null {
  const { a, b } = inputs;
  if (!isFloat(a, b) || a!.shape.length < 2 || b!.shape.length < 2) return null;
  const { transposeA, transposeB } = attrs;
  const ra = a!.shape.length;
  const rb = b!.shape.length;
  const m = transposeA ? a!.shape[ra - 1] : a!.shape[ra - 2];
  const k = transposeA ? a!.shape[ra - 2] : a!.shape[ra - 1];
  const n = transposeB ? b!.shape[rb - 2] : b!.shape[rb - 1];
  const kb = transposeB ? b!.shape[rb - 1] : b!.shape[rb - 2];
  if (k !== kb) return null; // let the cpu kernel report it
  const outerA = a!.shape.slice(0, -2);
  const outerB = b!.shape.slice(0, -2);
  const batchA = sizeOf(outerA);
  const batchB = sizeOf(outerB);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  if (batchA === batchB && batchA !== 1 && !sameShape(outerA, outerB)) return null;
  const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
  const batch = Math.max(batchA, batchB);
  if (bias && (!isFloat(bias) || (sizeOf(bias.shape) !== n && sizeOf(bias.shape) !== 1) || bias.shape.length > 1)) return null;
  const c = backend.alloc(batch * m * n);
  const dims = [batch, m, n, k, +transposeA, +transposeB, +(batchA !== 1), +(batchB !== 1)];
  const biasValues = bias ? backend.values(bias) : null;
  // An empty operand has nothing to convert (and oneDNN refuses zero dims): the float32 path handles it.
  if (c.length > 0 && k > 0 && backend.matMulInBf16(m, n, k)) backend.addon.matMulBf16(backend.bf16(a!), backend.bf16(b!), c, dims, biasValues, relu);
  else backend.addon.matMul(backend.values(a!), backend.values(b!), c, dims, biasValues, relu);
  return backend.output([...outer, m, n], c);
}

export const batchMatMul = nativeKernel<MatMulAttrs>('BatchMatMul', (args) => matMul(args));

export const fusedMatMul = nativeKernel<MatMulAttrs>('_FusedMatMul', (args) => {
  const activation = args.attrs.activation ?? 'linear';
  if (args.inputs.preluActivationWeights || (activation !== 'linear' && activation !== 'relu')) return null;
  return matMul(args, args.inputs.bias, activation === 'relu');
});

export const MATMUL_KERNELS = [batchMatMul, fusedMatMul];
