// Routing a compiled model's sparse loss and accuracy: tfjs' functions wherever the backend lacks
// the fused kernels (cpu: the same values, no kernel of ours), the fused kernels on native with
// the same training (losses, accuracy, weights) and the same log names as tfjs' own.
import * as tf from '@tensorflow/tfjs';
import { afterEach, expect, it, vi } from 'vitest';
import { initBackend } from '../../src/training/backend.js';
import { SPARSE_ACCURACY, SPARSE_CROSS_ENTROPY, fuseSparseLoss } from '../../src/training/sparse-loss.js';
import { randomValues } from './helpers.js';
import { describeNative, useNative } from './native/availability.js';

function model(seed: number): tf.Sequential {
  const m = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [6], units: 8, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
    tf.layers.dense({ units: 5, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
  ] });
  m.compile({ optimizer: tf.train.adam(0.05), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

const x = () => tf.tensor2d(randomValues(24 * 6, 11), [24, 6]);
const y = () => tf.tensor2d(Array.from({ length: 24 }, (_, i) => (i * 3) % 5), [24, 1]);

/** Per step: [loss, accuracy] from trainOnBatch; then the weights, and the kernels that ran. */
async function train(fused: boolean): Promise<{ steps: number[][]; weights: number[][]; kernels: string[] }> {
  const m = model(7);
  if (fused) fuseSparseLoss(m);
  const [xs, ys] = [x(), y()];
  const spy = vi.spyOn(tf.engine(), 'runKernel');
  const steps: number[][] = [];
  for (let i = 0; i < 4; i++) steps.push((await m.trainOnBatch(xs, ys)) as number[]);
  const kernels = spy.mock.calls.map((call) => call[0]);
  spy.mockRestore();
  const weights = m.getWeights().map((w) => Array.from(w.dataSync()));
  tf.dispose([xs, ys]);
  m.dispose();
  return { steps, weights, kernels };
}

afterEach(() => vi.restoreAllMocks());

it("keeps tfjs' loss and accuracy where the backend has no fused kernels: same values, no kernel of ours", async () => {
  await initBackend('cpu');
  const [plain, routed] = [await train(false), await train(true)];
  expect(routed.steps).toEqual(plain.steps);
  expect(routed.weights).toEqual(plain.weights);
  expect(routed.kernels).not.toContain(SPARSE_CROSS_ENTROPY);
  expect(routed.kernels).toContain('Log');
});

describeNative('on native', () => {
  it('trains through the fused kernels as through tfjs-layers\' ops: the same losses, accuracy and weights', async () => {
    await useNative();
    const [plain, fused] = [await train(false), await train(true)];
    expect(fused.kernels).toEqual(expect.arrayContaining([SPARSE_CROSS_ENTROPY, SPARSE_ACCURACY]));
    expect(fused.kernels).not.toContain('Log');
    expect(plain.kernels).toContain('Log');
    // Native's own Sum may round the normalization differently from the kernel's (cpu's) sum.
    fused.steps.flat().forEach((v, i) => expect(v).toBeCloseTo(plain.steps.flat()[i], 5));
    expect(plain.steps[3][0]).toBeLessThan(plain.steps[0][0]); // it learned, so the gradients flowed
    fused.weights.flat().forEach((v, i) => expect(v).toBeCloseTo(plain.weights.flat()[i], 5));
  });

  it('reports the loss and accuracy under tfjs\' names, validation included', async () => {
    await useNative();
    const m = model(3);
    fuseSparseLoss(m);
    const [xs, ys] = [x(), y()];
    const history = await m.fit(xs, ys, { epochs: 2, batchSize: 8, validationSplit: 0.25, verbose: 0 });
    expect(Object.keys(history.history).sort()).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
    for (const values of Object.values(history.history)) expect(values.every((v) => Number.isFinite(v as number))).toBe(true);
    tf.dispose([xs, ys]);
    m.dispose();
  });
});
