import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { epochOrder } from '../../src/domain/trial-seed.js';
import { initBackend } from '../../src/training/backend.js';
import { buildModel, disposeModel } from '../../src/training/build-model.js';
import { seedDropout, seededBatches } from '../../src/training/seeded-batches.js';

beforeAll(async () => { await initBackend('cpu', { threads: 1 }); });

/** The item ids (the value of each row) of every batch of one pass over the set. */
async function pass(set: tf.data.Dataset<{ xs: tf.Tensor; ys: tf.Tensor }>): Promise<{ ids: number[][]; labels: number[][] }> {
  const ids: number[][] = [];
  const labels: number[][] = [];
  await set.forEachAsync(({ xs, ys }) => {
    ids.push(Array.from(xs.dataSync()));
    labels.push(Array.from(ys.dataSync()));
    tf.dispose([xs, ys]);
  });
  return { ids, labels };
}

describe('seededBatches', () => {
  it("walks each epoch in (seed, epoch)'s order, rows and labels together, in batches, leaking nothing", async () => {
    const xs = tf.range(0, 10).reshape([10, 1]);
    const ys = tf.range(100, 110).reshape([10, 1]);
    const before = tf.memory().numTensors;
    let epoch = 3;
    const set = seededBatches(xs, ys, 4, 9, () => epoch);
    const third = await pass(set);
    expect(third.ids.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(third.ids.flat()).toEqual(Array.from(epochOrder(9, 3, 10)));
    expect(third.labels.flat()).toEqual(third.ids.flat().map((i) => i + 100));
    epoch = 4;
    expect((await pass(set)).ids.flat()).toEqual(Array.from(epochOrder(9, 4, 10)));
    epoch = 3; // the same epoch again, after another: the same order
    expect((await pass(set)).ids).toEqual(third.ids);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([xs, ys]);
  });
});

describe('seedDropout', () => {
  it('gives every (epoch, step) its own mask, the same each time it is asked for', () => {
    const model = buildModel({
      inputShape: [64], loss: 'sparseCategoricalCrossentropy', optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0 },
      layers: [{ type: 'dropout', rate: 0.5 }, { type: 'dense', units: 2, activation: 'softmax' }],
    }, 1);
    const ones = tf.ones([1, 64]);
    const mask = (epoch: number, step: number) => {
      seedDropout(model, 5, epoch, step);
      return tf.tidy(() => Array.from((model.layers[0].apply(ones, { training: true }) as tf.Tensor).dataSync()));
    };
    const a = mask(2, 7);
    expect(a.some((v) => v === 0) && a.some((v) => v !== 0)).toBe(true);
    expect(mask(2, 8)).not.toEqual(a);
    expect(mask(3, 7)).not.toEqual(a);
    expect(mask(2, 7)).toEqual(a);
    ones.dispose();
    disposeModel(model);
  });
});
