// A trial's training state at an epoch boundary as one weight buffer, so a retry resumes where
// the crashed run stopped instead of at epoch 1: the model's weights, the optimizer's slots and
// step count (without them Adam would take different steps than an uninterrupted run), and the
// best epoch's weights when they are not the latest (the trial's artifact holds the best epoch).
// Adam's running powers of beta1/beta2 go in too: tfjs' setWeights recomputes them as
// pow(beta, step + 1), a few ulps off the running product, so a resumed run would drift.
import * as tf from '@tensorflow/tfjs';
import { TrainingError } from '../domain/errors.js';
import type { ModelWeights, TrainingCheckpoint } from '../domain/training-port.js';

const MODEL = 'model/';
const OPTIMIZER = 'optimizer/';
const BEST = 'best/';
const ADAM = 'adam/';

/** Adam's bias-correction state, which tfjs' getWeights leaves out; absent on other optimizers. */
type AdamPowers = { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
const POWERS = ['accBeta1', 'accBeta2'] as const;
const adamPowers = (model: tf.LayersModel) =>
  POWERS.flatMap((name) => {
    const v = (model.optimizer as unknown as AdamPowers)[name];
    return v ? [{ name, variable: v }] : [];
  });

export async function encodeCheckpoint(model: tf.LayersModel, epoch: number, best: tf.Tensor[] | null): Promise<TrainingCheckpoint> {
  const slots = await model.optimizer.getWeights();
  try {
    const named: { name: string; tensor: tf.Tensor }[] = [
      ...model.getWeights().map((tensor, i) => ({ name: `${MODEL}${i}`, tensor })),
      ...slots.map((w) => ({ name: `${OPTIMIZER}${w.name}`, tensor: w.tensor })),
      ...adamPowers(model).map((p) => ({ name: `${ADAM}${p.name}`, tensor: p.variable })),
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
    // After setWeights, which overwrites them; a checkpoint from before they were stored keeps tfjs' pow().
    for (const p of adamPowers(model)) {
      const saved = map[`${ADAM}${p.name}`];
      if (saved) p.variable.assign(saved);
    }
  } finally {
    const powers = POWERS.map((name) => map[`${ADAM}${name}`]).filter((t) => t !== undefined);
    tf.dispose([...weights, ...slots.map((s) => s.tensor), ...powers]); // variables keep their own reference
  }
  const best = indexed(BEST);
  return best.length ? best : null;
}

/**
 * Puts a stored model's weights (layers format, as artifact.ts writes them) into a freshly built,
 * compiled model of the same architecture; the optimizer keeps its fresh state, as when Keras
 * Tuner loads a trial's best checkpoint before training on. Matched by position: tfjs numbers
 * layer names per process, so the stored names need not match this model's.
 */
export function applyWeights(model: tf.LayersModel, stored: ModelWeights): void {
  const specs = stored.weightSpecs as tf.io.WeightsManifestEntry[];
  const map = tf.io.decodeWeights(new Uint8Array(stored.weightData).buffer, specs);
  try {
    const weights = specs.map((s) => map[s.name]);
    const own = model.getWeights();
    const mismatch = weights.length !== own.length ? `${weights.length} weights for ${own.length}`
      : weights.map((w, i) => (w.shape.join() === own[i].shape.join() ? null : `shape [${w.shape}] for [${own[i].shape}]`)).find((m) => m);
    if (mismatch) throw new TrainingError(`the stored weights do not fit this model: ${mismatch}`);
    model.setWeights(weights);
  } finally {
    tf.dispose(Object.values(map)); // variables keep their own reference
  }
}
