// A dataset's items as tensors, and the scaled pixels a spare trial process prepares ahead.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { DatasetImages } from '../../src/domain/dataset-source.js';
import { prepareInputs, toTensors } from '../../src/training/inputs.js';

describe('toTensors', () => {
  it('scales pixels to [0, 1] and takes a contiguous range (validation = the items after training)', () => {
    const set: DatasetImages = {
      images: Uint8Array.from([0, 255, 51, 102, 0, 0, 255, 255]), labels: Uint8Array.from([1, 2, 3, 4]),
      count: 4, height: 1, width: 2, channels: 1,
    };
    const { xs, ys } = toTensors(set, 1, 2);
    expect(xs.shape).toEqual([2, 1, 2, 1]);
    expect(Array.from(xs.dataSync())).toEqual([0.2, 0.4, 0, 0].map((v) => Math.fround(v)));
    expect(ys.shape).toEqual([2, 1]);
    expect(Array.from(ys.dataSync())).toEqual([2, 3]);
    tf.dispose([xs, ys]);
  });

  it('scales a set once: the items a spare process prepared are the ones training gets', () => {
    const set: DatasetImages = { images: Uint8Array.from([0, 255, 51, 102]), labels: Uint8Array.from([1, 2]), count: 2, height: 1, width: 2, channels: 1 };
    const prepared = prepareInputs(set);
    expect(prepareInputs(set)).toBe(prepared);
    prepared[2] = 0.75; // a stand-in value: only a shared array carries it into the tensor
    const { xs, ys } = toTensors(set, 1, 1);
    expect(Array.from(xs.dataSync())).toEqual([0.75, Math.fround(0.4)]);
    // Another set object (the same bytes read again) is scaled anew.
    expect(prepareInputs({ ...set })).not.toBe(prepared);
    tf.dispose([xs, ys]);
  });
});
