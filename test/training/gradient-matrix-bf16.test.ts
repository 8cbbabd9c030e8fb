// The gradient matrix in bf16 mixed precision on native. Against the float32 reference, bf16's 8
// significant bits move gradients by far more than rounding: a pre-activation that bf16 nudges
// across ReLU's or selu's kink, or a max-pool window whose maximum changes, routes a gradient
// elsewhere (measured here: up to 27 % of a weight's largest gradient). So the sharp check is
// against a reference that computes what mixed precision promises: float32 everywhere, with the
// inputs of every convolution and matrix product (activations, filters, kernels, output
// gradients; not biases) rounded to bf16 first, wherever the bf16 policy (bf16-policy.ts) runs
// that kernel in bf16. A product of two bf16 values is exact in float32,
// so that reference differs from the native bf16 kernels only in float32 summation order, as the
// float32 matrix does: the same 1e-4. It would catch a bf16 rounding where autocast keeps float32
// (a bias, batch norm, the loss, a weight gradient) or a float32 input where it rounds. Against
// the plain float32 reference, 3 Adam steps' losses (means over the batch, where the rounding
// averages out) must stay within 2^-6 (measured: at most 3.7e-3).
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { initBackend } from '../../src/training/backend.js';
import { disposeModel } from '../../src/training/build-model.js';
import { bf16PolicyFor, convInBf16, matMulInBf16, type Bf16Policy } from '../../src/training/native/bf16-policy.js';
import { NATIVE_BACKEND } from '../../src/training/native/index.js';
import type { NativeBackend } from '../../src/training/native/native-backend.js';
import { setNativePrecision } from '../../src/training/native/precision.js';
import { adamLosses, gradients, makeModel, MODELS, onReference, referenceRuns, relError, spec, type Reference } from './gradient-matrix-models.js';
import { describeNativeBf16 } from './native/availability.js';

const TOLERANCE = 1e-4;
const LOSS_TOLERANCE_VS_FP32 = 2 ** -6;

/** Round to nearest even, as the addon's toBf16 and oneDNN's reorders do (NaN/infinity do not occur here). */
function roundToBf16(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  const bits = new Uint32Array(out.buffer);
  const inBits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < values.length; i++) {
    const u = inBits[i];
    bits[i] = (((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) << 16) >>> 0;
  }
  return out;
}

// Between autocast's every-kernel bf16 and the shipped policy, so that these small models mix both:
// a first conv over the 2 input channels and a head of 5 units stay float32, the rest run in bf16.
const POLICY: Bf16Policy = { minConvInChannels: 3, minMatMulMiddleDim: 6, minMatMulMacs: 0 };

type Inputs = Record<string, tf.TensorInfo>;
type MatMulAttrs = { transposeA: boolean; transposeB: boolean };
/** [m, n, k] of a (batched) product, as matmul.ts reads them. */
function matMulDims({ a, b }: Inputs, { transposeA, transposeB }: MatMulAttrs): [number, number, number] {
  const [ra, rb] = [a.shape.length, b.shape.length];
  return [transposeA ? a.shape[ra - 1] : a.shape[ra - 2], transposeB ? b.shape[rb - 2] : b.shape[rb - 1], transposeA ? a.shape[ra - 2] : a.shape[ra - 1]];
}

/** Which inputs of each kernel mixed precision reads as bf16 (tfjs' input names), where the policy runs it in bf16. */
const BF16_INPUTS: Record<string, { names: string[]; inBf16: (inputs: Inputs, attrs: tf.NamedAttrMap) => boolean }> = {
  Conv2D: { names: ['x', 'filter'], inBf16: (i) => convInBf16(POLICY, i.x.shape[3]) },
  FusedConv2D: { names: ['x', 'filter'], inBf16: (i) => convInBf16(POLICY, i.x.shape[3]) },
  Conv2DBackpropInput: { names: ['dy', 'filter'], inBf16: (i) => convInBf16(POLICY, i.filter.shape[2]) },
  Conv2DBackpropFilter: { names: ['x', 'dy'], inBf16: (i) => convInBf16(POLICY, i.x.shape[3]) },
  BatchMatMul: { names: ['a', 'b'], inBf16: (i, a) => matMulInBf16(POLICY, ...matMulDims(i, a as unknown as MatMulAttrs)) },
  _FusedMatMul: { names: ['a', 'b'], inBf16: (i, a) => matMulInBf16(POLICY, ...matMulDims(i, a as unknown as MatMulAttrs)) },
};

/** Runs `fn` with the cpu kernels of BF16_INPUTS reading those inputs rounded to bf16. */
async function withBf16Inputs<T>(fn: () => Promise<T>): Promise<T> {
  const originals = Object.keys(BF16_INPUTS).map((name) => tf.getKernel(name, 'cpu')!);
  for (const original of originals) {
    tf.unregisterKernel(original.kernelName, 'cpu');
    tf.registerKernel({
      ...original,
      kernelFunc: ((args: { inputs: Record<string, tf.TensorInfo>; backend: tf.KernelBackend; attrs: tf.NamedAttrMap }) => {
        const { backend } = args;
        const { names, inBf16 } = BF16_INPUTS[original.kernelName];
        if (!inBf16(args.inputs, args.attrs)) return original.kernelFunc(args as never);
        const rounded = Object.fromEntries(names.filter((k) => args.inputs[k]).map((k) => {
          const t = args.inputs[k];
          const values = roundToBf16(backend.readSync(t.dataId) as Float32Array);
          return [k, { dataId: backend.write(values, t.shape, 'float32'), shape: t.shape, dtype: 'float32' as const }];
        }));
        try {
          return original.kernelFunc({ ...args, inputs: { ...args.inputs, ...rounded } } as never);
        } finally {
          for (const t of Object.values(rounded)) backend.disposeData(t.dataId);
        }
      }) as unknown as tf.KernelFunc,
    });
  }
  try {
    return await fn();
  } finally {
    for (const original of originals) {
      tf.unregisterKernel(original.kernelName, 'cpu');
      tf.registerKernel(original);
    }
  }
}

describeNativeBf16('the gradient matrix in bf16 mixed precision, on native', () => {
  let fp32 = new Map<string, Reference>();
  let emulated = new Map<string, Reference>();
  beforeAll(async () => {
    fp32 = await onReference(referenceRuns);
    emulated = await onReference(() => withBf16Inputs(referenceRuns));
    await initBackend(NATIVE_BACKEND);
    setNativePrecision(NATIVE_BACKEND, 'bf16');
    (tf.backend() as NativeBackend).bf16Policy = { ...POLICY };
  }, 120_000);
  afterAll(async () => {
    setNativePrecision(NATIVE_BACKEND, 'fp32');
    const backend = tf.findBackend(NATIVE_BACKEND) as NativeBackend;
    backend.bf16Policy = { ...bf16PolicyFor(backend.addon.info().isa) };
    await initBackend('cpu');
  });

  it.each(Object.keys(MODELS))('%s: gradients and 3 Adam steps match float32 math on bf16-rounded inputs', async (name) => {
    const ref = emulated.get(name)!;
    const model = makeModel(spec(MODELS[name]), ref.weights);
    const grads = await gradients(model);
    grads.forEach((g, v) => expect(relError(g, ref.grads[v]), `${model.trainableWeights[v].name}`).toBeLessThan(TOLERANCE));
    const losses = await adamLosses(model);
    losses.forEach((l, i) => expect(Math.abs(l - ref.losses[i]) / Math.abs(ref.losses[i])).toBeLessThan(TOLERANCE));
    losses.forEach((l, i) => expect(Math.abs(l - fp32.get(name)!.losses[i]) / Math.abs(fp32.get(name)!.losses[i])).toBeLessThan(LOSS_TOLERANCE_VS_FP32));
    disposeModel(model);
  });
});
