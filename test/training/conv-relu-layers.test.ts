// Routing conv layers through CONV_BIAS_RELU: only a Conv2D with a ReLU and a bias, only where
// the active backend has the kernel (elsewhere tfjs' own call, bit for bit), and the saved model
// stays tfjs' Conv2D.
import * as tf from '@tensorflow/tfjs';
import { afterEach, expect, it, vi } from 'vitest';
import { initBackend } from '../../src/training/backend.js';
import { CONV_BIAS_RELU, fuseConvRelu } from '../../src/training/conv-relu-layers.js';
import { describeNative, useNative } from './native/availability.js';
import { randomValues } from './helpers.js';

function model(activation: 'relu' | 'tanh', useBias = true): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [8, 8, 2], filters: 3, kernelSize: 3, activation, useBias, biasInitializer: 'glorotUniform', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }));
  return m;
}

const input = () => tf.tensor4d(randomValues(2 * 8 * 8 * 2, 3), [2, 8, 8, 2]);

afterEach(() => vi.restoreAllMocks());

it("leaves tfjs' call in place where the backend has no such kernel: the same values bit for bit", async () => {
  await initBackend('cpu');
  const plain = model('relu');
  const routed = model('relu');
  routed.setWeights(plain.getWeights());
  fuseConvRelu(routed);
  const x = input();
  const [a, b] = [plain.predict(x) as tf.Tensor, routed.predict(x) as tf.Tensor];
  expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
  const saved = routed.toJSON(null, false) as { config: { layers: { class_name: string }[] } };
  expect(saved.config.layers.map((l) => l.class_name)).toEqual(['Conv2D']); // tfjs' own class in the saved topology
  tf.dispose([x, a, b]);
  plain.dispose();
  routed.dispose();
});

describeNative('on native', () => {
  it('runs a ReLU conv with a bias as one kernel, in training and inference; other conv layers as before', async () => {
    await useNative();
    const kernels = vi.spyOn(tf.engine(), 'runKernel');
    const cases: [tf.Sequential, boolean][] = [[model('relu'), true], [model('tanh'), false], [model('relu', false), false]];
    for (const [m, fused] of cases) {
      fuseConvRelu(m);
      const x = input();
      kernels.mockClear();
      const { value, grads } = tf.variableGrads(() => tf.sum(m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
      const names = kernels.mock.calls.map((call) => call[0]);
      expect(names.includes(CONV_BIAS_RELU), `${m.layers[0].name}: ${names.join()}`).toBe(fused);
      expect(names.includes('Relu'), names.join()).toBe(!fused && m.layers[0].getConfig().activation === 'relu');
      tf.dispose([x, value, ...Object.values(grads)]);
      m.dispose();
    }
  });
});
