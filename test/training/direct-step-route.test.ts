// The route from tfjs-layers' train function to a backend's direct step: asked each time fit or
// trainOnBatch starts, on the backend active then; tfjs' own where there is none, where it
// declines the model, or while direct steps are off.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../src/training/backend.js';
import { buildModel, disposeModel } from '../../src/training/build-model.js';
import { registerDirectStep, setDirectSteps, type DirectStepFactory } from '../../src/training/direct-step-route.js';
import type { ConcreteModel } from '../../src/domain/model-template.js';

const MODEL: ConcreteModel = {
  inputShape: [4], layers: [{ type: 'dense', units: 3, activation: 'softmax' }], loss: 'sparseCategoricalCrossentropy',
  optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0 },
};

async function step(factory?: DirectStepFactory): Promise<{ logs: number[]; minimized: number }> {
  if (factory) registerDirectStep('cpu', factory);
  const model = buildModel(MODEL, 1);
  const minimize = vi.spyOn(model.optimizer, 'minimize');
  const [x, y] = [tf.ones([2, 4]), tf.tensor2d([[0], [2]])];
  const logs = (await model.trainOnBatch(x, y)) as number[];
  const minimized = minimize.mock.calls.length;
  tf.dispose([x, y]);
  disposeModel(model);
  return { logs, minimized };
}

beforeAll(async () => { await initBackend('cpu'); });

afterEach(() => {
  registerDirectStep('cpu', () => undefined);
  setDirectSteps(true);
  vi.restoreAllMocks();
});

describe('the direct step route', () => {
  it("runs tfjs' train function where the backend offers no direct step or declines the model", async () => {
    const plain = await step();
    expect(plain.minimized).toBe(1);
    const declined = await step(() => undefined);
    expect(declined).toEqual(plain);
  });

  it("runs the backend's step for the model, and tfjs' while direct steps are off", async () => {
    const seen: tf.LayersModel[] = [];
    const factory: DirectStepFactory = (model) => {
      seen.push(model);
      return () => [tf.scalar(0.25), tf.scalar(0.5)];
    };
    const direct = await step(factory);
    expect(direct).toEqual({ logs: [0.25, 0.5], minimized: 0 });
    expect(seen).toHaveLength(1);
    setDirectSteps(false);
    expect((await step(factory)).minimized).toBe(1);
    expect(seen).toHaveLength(1);
  });
});
