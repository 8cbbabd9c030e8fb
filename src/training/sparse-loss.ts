// Sparse categorical cross-entropy and accuracy as one kernel each, on a backend that registers
// them (native). tfjs-layers composes the loss, its gradient and the accuracy from small ops on
// [batch, classes] tensors (clip, one-hot, normalize, clip, log, multiply, sum, negate, argMax,
// ...): tiny arithmetic, but each op pays tfjs' bookkeeping (the tape, scopes, tensor records).
// They were 64 of a small model's 138 kernel calls a step; without them its epoch took ~6 % less
// (bench/RESULTS.md, issue 17). The kernels compute the same values, Keras' clipping and
// normalization included (./native/sparse-loss.ts); the compiled model keeps its loss and metric
// names, and tfjs' functions run wherever the kernels are missing.
import * as tf from '@tensorflow/tfjs';

/** Inputs {labels ([n, 1] or [n]), probs ([n, classes])}: each row's loss, [n] float32. */
export const SPARSE_CROSS_ENTROPY = 'HypertuneSparseCrossEntropy';
/** Inputs {labels, probs}: 1 where the row's first largest probability is at its label, else 0, [n]. */
export const SPARSE_ACCURACY = 'HypertuneSparseAccuracy';

type LossOrMetric = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

/** The parts of a compiled LayersModel that its train and test functions read (not in its typings). */
interface CompiledInternals {
  loss: unknown;
  lossFunctions: LossOrMetric[];
  metricsNames: string[];
  metricsTensors: [LossOrMetric, number][];
}

const routed = (kernelName: string, tfjs: LossOrMetric): LossOrMetric => (yTrue, yPred) =>
  fusable(yTrue, yPred) && tf.getKernel(kernelName, tf.getBackend())
    ? (tf.engine().runKernel(kernelName, { labels: yTrue, probs: yPred }) as tf.Tensor)
    : tfjs(yTrue, yPred);

const fusable = (yTrue: tf.Tensor, yPred: tf.Tensor): boolean =>
  yPred.rank === 2 && yPred.dtype === 'float32' && yTrue.dtype === 'float32'
  && yTrue.shape[0] === yPred.shape[0] && (yTrue.rank === 1 || (yTrue.rank === 2 && yTrue.shape[1] === 1));

/**
 * Routes a model compiled with sparse categorical cross-entropy (and its 'accuracy', which tfjs
 * resolves to sparse categorical accuracy for that loss) through the fused kernels where the
 * active backend has them. Call after compile.
 */
export function fuseSparseLoss(model: tf.LayersModel): void {
  // A Sequential trains through the LayersModel it wraps, which holds the compiled functions.
  const m = ((model as unknown as { model?: unknown }).model ?? model) as CompiledInternals;
  if (m.loss !== 'sparseCategoricalCrossentropy' || m.lossFunctions.length !== 1) return;
  m.lossFunctions[0] = routed(SPARSE_CROSS_ENTROPY, m.lossFunctions[0]);
  // metricsNames[0] is the loss; metricsTensors[i] is metricsNames[i + 1]'s function and output.
  m.metricsTensors.forEach((entry, i) => {
    if (m.metricsNames[i + 1] === 'acc') entry[0] = routed(SPARSE_ACCURACY, entry[0]);
  });
}
