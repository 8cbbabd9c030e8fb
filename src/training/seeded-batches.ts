// The random parts of fit(), seeded by position so a resumed run draws what an uninterrupted one
// would: each epoch's batch order from (seed, epoch) alone (tfjs' own shuffle uses Math.random),
// and each step's dropout masks from (seed, layer, epoch, step) (a fixed tfjs dropout seed would
// draw the same mask every step). Batches are gathered one at a time from the training tensors,
// as fit() itself does, so no epoch copies the whole set.
import * as tf from '@tensorflow/tfjs';
import { dropoutSeed, epochOrder } from '../domain/trial-seed.js';

export type Batch = { xs: tf.Tensor; ys: tf.Tensor };

/**
 * The training set as a tf.data set for fitDataset: every iterator walks the epoch `epoch()`
 * names at its first batch (fitDataset opens one per epoch, after onEpochBegin) in its seeded order.
 */
export function seededBatches(xs: tf.Tensor, ys: tf.Tensor, batchSize: number, seed: number, epoch: () => number): tf.data.Dataset<Batch> {
  const count = xs.shape[0];
  return tf.data.generator(function* batches() {
    const order = epochOrder(seed, epoch(), count);
    for (let start = 0; start < count; start += batchSize) {
      // fitDataset disposes each batch once trained; an epoch stopped early never asks for the rest.
      yield tf.tidy(() => {
        const indices = tf.tensor1d(order.subarray(start, start + batchSize), 'int32');
        return { xs: tf.gather(xs, indices), ys: tf.gather(ys, indices) };
      });
    }
  });
}

/** Gives each dropout layer its mask seed for this step (tfjs reads a Dropout layer's seed at every call). */
export function seedDropout(model: tf.LayersModel, seed: number, epoch: number, step: number): void {
  model.layers.forEach((layer, index) => {
    if (layer.getClassName() === 'Dropout') (layer as unknown as { seed?: number }).seed = dropoutSeed(seed, index, epoch, step);
  });
}
