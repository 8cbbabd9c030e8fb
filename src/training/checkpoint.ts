// A trial's training state at an epoch boundary as one weight buffer, so a retry resumes where
// the crashed run stopped instead of at epoch 1: the model's weights, the optimizer's slots and
// step count (without them Adam would take different steps than an uninterrupted run), and the
// best epoch's weights when they are not the latest (the trial's artifact holds the best epoch).
import * as tf from '@tensorflow/tfjs';
import type { TrainingCheckpoint } from '../domain/training-port.js';

const MODEL = 'model/';
const OPTIMIZER = 'optimizer/';
const BEST = 'best/';

export async function encodeCheckpoint(model: tf.LayersModel, epoch: number, best: tf.Tensor[] | null): Promise<TrainingCheckpoint> {
  const slots = await model.optimizer.getWeights();
  try {
    const named: { name: string; tensor: tf.Tensor }[] = [
      ...model.getWeights().map((tensor, i) => ({ name: `${MODEL}${i}`, tensor })),
      ...slots.map((w) => ({ name: `${OPTIMIZER}${w.name}`, tensor: w.tensor })),
      ...(best ?? []).map((tensor, i) => ({ name: `${BEST}${i}`, tensor })),
    ];
    const { data, specs } = await tf.io.encodeWeights(named);
    return { epoch, weightSpecs: specs, weightData: new Uint8Array(data) };
  } finally {
    // The step count comes as a fresh scalar; the slots are the optimizer's own variables.
    for (const w of slots) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
  }
}

/** Puts the state into a freshly built, compiled model; returns the best epoch's weights if stored (the caller owns them). */
export async function restoreCheckpoint(model: tf.LayersModel, checkpoint: TrainingCheckpoint): Promise<tf.Tensor[] | null> {
  const map = tf.io.decodeWeights(new Uint8Array(checkpoint.weightData).buffer, checkpoint.weightSpecs as tf.io.WeightsManifestEntry[]);
  const indexed = (prefix: string) => Object.keys(map).filter((n) => n.startsWith(prefix))
    .sort((a, b) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length))).map((n) => map[n]);
  const weights = indexed(MODEL);
  const slots = Object.keys(map).filter((n) => n.startsWith(OPTIMIZER)).map((n) => ({ name: n.slice(OPTIMIZER.length), tensor: map[n] }));
  try {
    if (weights.length !== model.getWeights().length) throw new Error(`checkpoint holds ${weights.length} weights, the model has ${model.getWeights().length}`);
    model.setWeights(weights);
    await model.optimizer.setWeights(slots);
  } finally {
    tf.dispose([...weights, ...slots.map((s) => s.tensor)]); // variables keep their own reference
  }
  const best = indexed(BEST);
  return best.length ? best : null;
}
