// A dataset's items as training feeds them: pixels / 255 as float32 [n, h, w, c], labels as
// float32 [n, 1]. Scaling the pixels takes tens of milliseconds for 10,000 images (a fresh 28 MB
// array, page faults included: bench:trial counted ~70 ms of a trial's overhead here), so a spare
// trial process scales the set it read ahead while it waits (prepareInputs), and the trial it is
// given takes the scaled pixels as they are.
import * as tf from '@tensorflow/tfjs';
import type { DatasetImages } from '../domain/dataset-source.js';

const scaled = new WeakMap<DatasetImages, Float32Array>();

/** Every item's pixels / 255, worked out once per set object (kept while the set is). */
export function prepareInputs(set: DatasetImages): Float32Array {
  let pixels = scaled.get(set);
  if (!pixels) {
    const src = set.images;
    pixels = new Float32Array(src.length);
    for (let i = 0; i < src.length; i++) pixels[i] = src[i] / 255;
    scaled.set(set, pixels);
  }
  return pixels;
}

/**
 * Items [start, start + count): their pixels are a view into prepareInputs' array, which training
 * only reads (the backend never recycles memory it did not allocate).
 */
export function toTensors(set: DatasetImages, start: number, count: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const per = set.height * set.width * set.channels;
  const labels = Float32Array.from(set.labels.subarray(start, start + count));
  return {
    xs: tf.tensor4d(prepareInputs(set).subarray(start * per, (start + count) * per), [count, set.height, set.width, set.channels]),
    ys: tf.tensor2d(labels, [count, 1]),
  };
}
