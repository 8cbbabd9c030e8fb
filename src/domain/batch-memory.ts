// A model's memory per training batch, estimated from its shapes without tfjs, so a search whose
// model could never train in a worker's memory is refused at creation like one over the parameter cap.
import type { Architecture } from './model-summary.js';
import type { OptimizerType } from './model-template.js';

/** float32 everywhere: inputs, activations, weights, gradients and optimizer state. */
const BYTES = 4;
export const MB = 1024 * 1024;

/** Values the optimizer keeps per trainable weight (tfjs: adam m and v; rmsprop mean square and moment; sgd with momentum its velocity). */
export function optimizerSlots(type: OptimizerType, momentum: number): number {
  switch (type) {
    case 'adam': return 2;
    case 'rmsprop': return 2;
    case 'sgd': return momentum > 0 ? 1 : 0;
  }
}

export interface BatchMemory {
  /** All of it, in bytes. */
  bytes: number;
  /** What one more image in the batch costs: its input and, twice (forward value and its gradient), every layer's output. */
  perExampleBytes: number;
  /** What does not grow with the batch: weights, their gradients and the optimizer state; non-trainable weights once. */
  fixedBytes: number;
  /** The index (in arch.layers) of the layer whose output takes the most. */
  largestLayer: number;
}

/** The estimate for a batch of `batchSize`: fixedBytes + batchSize * perExampleBytes. */
export function batchMemory(arch: Architecture, batchSize: number): BatchMemory {
  const size = (shape: (number | null)[]) => shape.reduce<number>((n, d) => n * (d ?? 1), 1);
  let outputs = 0;
  let largest = -1;
  let largestLayer = 0;
  arch.layers.forEach((layer, i) => {
    const n = size(layer.outputShape);
    outputs += n;
    if (n > largest) [largest, largestLayer] = [n, i];
  });
  const perExampleBytes = (size(arch.inputShape) + 2 * outputs) * BYTES;
  const slots = optimizerSlots(arch.optimizer.type, arch.optimizer.momentum);
  const fixedBytes = (arch.trainableParams * (2 + slots) + arch.nonTrainableParams) * BYTES;
  return { bytes: fixedBytes + batchSize * perExampleBytes, perExampleBytes, fixedBytes, largestLayer };
}
