// Whole training steps on wasm (our kernels) against the cpu backend with tfjs' own kernels.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { ConcreteLayer, ConcreteModel, OptimizerType } from '../../src/domain/model-template.js';
import { initBackend, type BackendName } from '../../src/training/backend.js';
import { buildModel, disposeModel } from '../../src/training/build-model.js';
import { unregisterTrainingKernels } from '../../src/training/kernels/index.js';
import { randomValues, stepLosses } from './helpers.js';

const conv = (o: Partial<Extract<ConcreteLayer, { type: 'conv2d' }>> = {}): ConcreteLayer =>
  ({ type: 'conv2d', filters: 4, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu', ...o });
const HEAD: ConcreteLayer[] = [{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }];

/** One case per layer type we offer (and every activation), each as a small model on 12x12x1. */
const MODELS: Record<string, ConcreteLayer[]> = {
  'conv2d strides 1/2, same/valid, k 3/5': [
    conv({ padding: 'same' }), conv({ strides: 2, padding: 'same' }), conv({ strides: 2, kernelSize: 5, padding: 'same' }), ...HEAD,
  ],
  'conv2d stride 2 valid': [conv({ strides: 2 }), conv({ strides: 2, kernelSize: 2 }), ...HEAD],
  maxPooling2d: [
    conv(), { type: 'maxPooling2d', poolSize: 2, strides: 2, padding: 'valid' },
    conv({ padding: 'same' }), { type: 'maxPooling2d', poolSize: 3, strides: 2, padding: 'same' }, ...HEAD,
  ],
  averagePooling2d: [
    conv(), { type: 'averagePooling2d', poolSize: 2, strides: 2, padding: 'valid' },
    { type: 'averagePooling2d', poolSize: 3, strides: 1, padding: 'same' }, ...HEAD,
  ],
  'dense, flatten': [{ type: 'flatten' }, { type: 'dense', units: 16, activation: 'tanh' }, ...HEAD.slice(1)],
  batchNormalization: [
    conv(), { type: 'batchNormalization', momentum: 0.99, epsilon: 0.001 }, { type: 'flatten' },
    { type: 'dense', units: 8, activation: 'elu' }, { type: 'batchNormalization', momentum: 0.9, epsilon: 0.001 }, ...HEAD.slice(1),
  ],
  activations: [
    conv({ activation: 'selu' }), conv({ activation: 'softplus' }), conv({ activation: 'sigmoid' }),
    conv({ activation: 'linear' }), ...HEAD,
  ],
};

const BATCH = 8;
const xValues = randomValues(BATCH * 12 * 12, 7).map((v) => (v + 1) / 2);
const yValues = Float32Array.from({ length: BATCH }, (_, i) => i % 10);

function spec(layers: ConcreteLayer[], optimizer: OptimizerType): ConcreteModel {
  return {
    inputShape: [12, 12, 1], layers, loss: 'sparseCategoricalCrossentropy',
    optimizer: { type: optimizer, learningRate: 0.01, momentum: optimizer === 'sgd' ? 0.9 : 0 },
  };
}

/** Losses of `steps` training steps from the same seeded initial weights. */
async function losses(backend: BackendName | 'cpu-own', m: ConcreteModel, steps = 3): Promise<number[]> {
  await initBackend(backend === 'cpu-own' ? 'cpu' : backend);
  if (backend === 'cpu-own') unregisterTrainingKernels('cpu');
  const model = buildModel(m, 42);
  const x = tf.tensor4d(xValues, [BATCH, 12, 12, 1]);
  const y = tf.tensor2d(yValues, [BATCH, 1]);
  const out = await stepLosses(model, x, y, steps);
  tf.dispose([x, y]);
  disposeModel(model);
  return out;
}

const expectClose = (actual: number[], expected: number[], tolerance = 1e-4) =>
  actual.forEach((v, i) => expect(Math.abs(v - expected[i]) / Math.abs(expected[i])).toBeLessThan(tolerance));

describe('training steps on wasm match cpu', () => {
  it('3 Adam steps of a small conv model give the same losses', async () => {
    const m = spec([conv({ filters: 6 }), conv({ filters: 5, strides: 2, padding: 'same' }), { type: 'maxPooling2d', poolSize: 2, strides: 2, padding: 'valid' }, ...HEAD], 'adam');
    const expected = await losses('cpu-own', m);
    expectClose(await losses('wasm', m), expected);
    expectClose(await losses('cpu', m), expected); // cpu with our conv gradients
    expect(expected[2]).toBeLessThan(expected[0]);
  });

  for (const [name, layers] of Object.entries(MODELS)) {
    it.each(['adam', 'sgd', 'rmsprop'] as const)(`${name} trains on wasm (%s)`, async (optimizer) => {
      const m = spec(layers, optimizer);
      expectClose(await losses('wasm', m), await losses('cpu', m));
    });
  }

  it('dropout trains on wasm (random masks, so no cpu comparison)', async () => {
    const m = spec([conv(), { type: 'dropout', rate: 0.3 }, { type: 'flatten' }, { type: 'dropout', rate: 0.5 }, ...HEAD.slice(1)], 'adam');
    const l = await losses('wasm', m, 8);
    expect(l.every(Number.isFinite)).toBe(true);
    expect(Math.min(...l.slice(4))).toBeLessThan(l[0]);
  });
});
