// A short real training in bf16 mixed precision: a trial's engine on native, a few hundred
// Fashion-MNIST images, one epoch. It must learn (validation accuracy well above the 10 % of
// chance), run its convolutions and dense products in bf16, and hand back float32 weights that
// are served in float32 (the precision is back to fp32 once the trial's training ends).
import * as tf from '@tensorflow/tfjs';
import { afterEach, expect, it, vi } from 'vitest';
import { BuiltinDatasets } from '../../../src/datasets/builtin.js';
import { FASHION_MNIST_DIR } from '../../../src/datasets/fashion-mnist.js';
import type { ConcreteModel } from '../../../src/domain/model-template.js';
import { TfjsTrainingEngine } from '../../../src/training/engine.js';
import { NATIVE_BACKEND } from '../../../src/training/native/index.js';
import { AMX_BF16_POLICY, bf16PolicyFor } from '../../../src/training/native/bf16-policy.js';
import type { NativeBackend } from '../../../src/training/native/native-backend.js';
import { describeNativeBf16, useNative } from './availability.js';

// The notebook model's layer kinds, smaller: conv, conv, flatten, dense, softmax head.
const MODEL: ConcreteModel = {
  inputShape: [28, 28, 1],
  layers: [
    { type: 'conv2d', filters: 16, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu' },
    { type: 'conv2d', filters: 16, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu' },
    { type: 'flatten' },
    // 64 units: the AMX policy's smallest bf16 dense layer at batch 32 (bf16-policy.ts).
    { type: 'dense', units: 64, activation: 'relu' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
  optimizer: { type: 'adam', learningRate: 3e-3, momentum: 0 },
  loss: 'sparseCategoricalCrossentropy',
};

afterEach(() => {
  vi.restoreAllMocks();
  const backend = tf.findBackend(NATIVE_BACKEND) as NativeBackend | null;
  if (backend) backend.bf16Policy = { ...bf16PolicyFor(backend.addon.info().isa) };
});

describeNativeBf16('a bf16 trial on native', () => {
  it('learns in one epoch on 540 images, in bf16, and leaves float32 weights and precision behind', async () => {
    await useNative();
    const backend = tf.backend() as NativeBackend;
    // Under AMX's policy, whatever this CPU's, so that the trial mixes both: conv 1 (one input
    // channel) and the head stay float32 (conv2dForward, matMul); the rest runs in bf16.
    backend.bf16Policy = { ...AMX_BF16_POLICY };
    const calls = (['conv2dForwardBf16', 'conv2dBackwardDataBf16', 'conv2dBackwardWeightsBf16', 'matMulBf16', 'conv2dForward', 'matMul'] as const).map((n) => [n, vi.spyOn(backend.addon, n)] as const);
    const engine = new TfjsTrainingEngine(NATIVE_BACKEND, new BuiltinDatasets(FASHION_MNIST_DIR));
    const result = await engine.train({
      model: MODEL, dataset: { id: 'fashion-mnist', limit: 600 }, seed: 7,
      training: { epochs: 1, batchSize: 32, validationSplit: 0.1, precision: 'bf16' },
      onEpochEnd: async () => 'continue',
    });
    for (const [name, spy] of calls) expect(spy, name).toHaveBeenCalled();
    const [epoch] = result.epochs;
    expect(Number.isFinite(epoch.loss)).toBe(true);
    // Chance is 0.1: well above it means the bf16 kernels' gradients train the model.
    expect(epoch.valAccuracy).toBeGreaterThan(0.35);
    expect(backend.precision).toBe('fp32');
    // The artifact holds float32 weights: what inference loads and runs in float32.
    expect((result.artifact!.weightSpecs as { dtype: string }[]).every((s) => s.dtype === 'float32')).toBe(true);
  }, 120_000);
});
