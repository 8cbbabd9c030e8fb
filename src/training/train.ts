// The training loop of one trial: model.fitDataset over DatasetImages in seeded batches, per-epoch
// metrics to the caller (who may prune), the best epoch's weights (by the search's objective, like
// Keras Tuner's checkpoint) restored at the end, and a TrainingError when the loss diverges.
import * as tf from '@tensorflow/tfjs';
import type { ObjectiveMetric } from '../domain/algorithms.js';
import type { DatasetImages } from '../domain/dataset-source.js';
import { TrainingError } from '../domain/errors.js';
import { isBetter, metricValue } from '../domain/objective.js';
import type { EpochDecision, EpochMetrics, TrainingCheckpoint, TrainRequest, TrainResult } from '../domain/training-port.js';
import { applyWeights, encodeCheckpoint, restoreCheckpoint } from './checkpoint.js';
import { toTensors } from './inputs.js';
import { seedDropout, seededBatches } from './seeded-batches.js';

/** fit()'s part of a TrainRequest (the port documents the fields it shares), once the engine has the data and the model. */
export interface TrainOptions extends Pick<TrainRequest, 'initialEpoch' | 'initialWeights' | 'objective' | 'onBatchEnd' | 'resume'> {
  model: tf.LayersModel;
  /** Fixes the batch order and dropout masks of every epoch (TrainRequest.seed); absent: a random one. */
  seed?: number;
  train: DatasetImages;
  /** Items [0, trainCount) train, [trainCount, trainCount + valCount) validate (no shuffle before the split). */
  trainCount: number;
  valCount: number;
  /** The epoch number training ends at. */
  epochs: number;
  batchSize: number;
  /** Optional here, and may answer synchronously (tests); `checkpoint` encodes the state at this boundary (checkpoint.ts). */
  onEpochEnd?: (m: EpochMetrics, checkpoint: () => Promise<TrainingCheckpoint>) => Promise<EpochDecision> | EpochDecision;
}

/** A TrainResult before the engine adds what follows fit(): the artifact and the phases' times. */
export type FitResult = Omit<TrainResult, 'artifact' | 'phases'> & { batches: BatchTimes };

/**
 * The first trained epoch's first batch and its median batch (ms): the difference is the backend's
 * warm-up (kernels and their buffers set up for this model's shapes), paid inside the first epoch.
 */
export interface BatchTimes { firstBatchMs: number; medianBatchMs: number }

const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);

/**
 * NaN and Infinity survive a sum, so one scalar per weight tells. Read asynchronously: GPU
 * backends (webgpu) cannot read synchronously.
 */
async function weightsFinite(model: tf.LayersModel): Promise<boolean> {
  const sums = tf.tidy(() => tf.stack(model.getWeights().map((w) => tf.sum(w))));
  try {
    return (await sums.data()).every((v) => Number.isFinite(v));
  } finally {
    sums.dispose();
  }
}

/** Keeps a copy of the weights of the best epoch so far (copies share data until a variable changes). */
class BestWeights {
  private saved: tf.Tensor[] | null = null;
  keep(model: tf.LayersModel): void {
    this.dispose();
    this.saved = model.getWeights().map((w) => tf.clone(w));
  }
  restore(model: tf.LayersModel): void {
    if (this.saved) model.setWeights(this.saved);
  }
  /** Takes ownership of weights restored from a checkpoint. */
  adopt(weights: tf.Tensor[]): void {
    this.dispose();
    this.saved = weights;
  }
  get tensors(): tf.Tensor[] | null {
    return this.saved;
  }
  dispose(): void {
    this.saved?.forEach((t) => t.dispose());
    this.saved = null;
  }
}

export async function trainModel(opts: TrainOptions): Promise<FitResult> {
  const { model, train, trainCount, valCount, epochs, batchSize } = opts;
  if (!(trainCount > 0) || valCount < 0 || trainCount + valCount > train.count) {
    throw new TrainingError(`cannot take ${trainCount} training + ${valCount} validation items from ${train.count}`);
  }
  const history: EpochMetrics[] = [...(opts.resume?.epochs ?? [])];
  let best: EpochMetrics | null = null;
  let stopped = false;
  let pruned = false;
  let failure: unknown = null; // errors are raised after fit() so it can clean up its own tensors
  let epochStart = 0;
  let epochNumber = 0; // from 1, counting a parent's epochs
  let batchEnd = 0;
  const firstEpochBatches: number[] = [];
  const bestWeights = new BestWeights();
  const fitData = toTensors(train, 0, trainCount);
  const valData = valCount > 0 ? toTensors(train, trainCount, valCount) : null;

  const fail = (err: unknown) => {
    failure ??= err;
    model.stopTraining = true;
  };
  const objective = opts.objective ?? { metric: 'val_accuracy', direction: 'max' };
  // Without validation data the training metric of the same name decides; ties keep the earlier epoch.
  const metric = valData ? objective.metric : (objective.metric.replace(/^val_/, '') as ObjectiveMetric);
  const better = (m: EpochMetrics) => !best || isBetter(metricValue(m, metric), metricValue(best, metric), objective.direction);
  const initialEpoch = opts.resume?.checkpoint.epoch ?? opts.initialEpoch ?? 0;
  const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 32);
  try {
    if (opts.resume) {
      const savedBest = await restoreCheckpoint(model, opts.resume.checkpoint);
      for (const m of history) if (better(m)) best = m;
      // The checkpoint stores the best weights only when they are not its own epoch's.
      if (savedBest) bestWeights.adopt(savedBest);
      else if (best) bestWeights.keep(model);
    } else if (opts.initialWeights) {
      applyWeights(model, opts.initialWeights);
    }
    // fit()'s shuffle is Math.random's: batches come in the seed's order instead (seeded-batches.ts).
    const trainSet = seededBatches(fitData.xs, fitData.ys, batchSize, seed, () => epochNumber);
    if (initialEpoch < epochs) await model.fitDataset(trainSet, {
      epochs, initialEpoch, verbose: 0, yieldEvery: 'never',
      validationData: valData ? [valData.xs, valData.ys] : undefined, validationBatchSize: batchSize,
      callbacks: {
        onEpochBegin: async (epoch) => { epochStart = batchEnd = performance.now(); epochNumber = epoch + 1; },
        onBatchBegin: async (batch) => { seedDropout(model, seed, epochNumber, batch); },
        onBatchEnd: async (batch, logs) => {
          const now = performance.now();
          if (epochNumber === initialEpoch + 1) firstEpochBatches.push(now - batchEnd);
          batchEnd = now;
          const loss = num(logs?.loss);
          if (!Number.isFinite(loss)) {
            fail(new TrainingError(`training diverged: loss became ${loss} in epoch ${epochNumber}, batch ${batch + 1}`));
          }
          try {
            await opts.onBatchEnd?.();
          } catch (err) {
            fail(err);
          }
        },
        onEpochEnd: async (epoch, logs) => {
          if (failure) return;
          const m: EpochMetrics = {
            epoch: epoch + 1,
            loss: num(logs?.loss),
            accuracy: num(logs?.acc ?? logs?.accuracy),
            valLoss: num(logs?.val_loss),
            valAccuracy: num(logs?.val_acc ?? logs?.val_accuracy),
            durationMs: performance.now() - epochStart,
          };
          if (!Number.isFinite(m.loss)) return fail(new TrainingError(`training diverged: loss became ${m.loss} in epoch ${m.epoch}`));
          // tfjs clips probabilities inside the loss, so NaN weights can still report a finite loss.
          if (!(await weightsFinite(model))) return fail(new TrainingError(`training diverged: non-finite weights after epoch ${m.epoch}`));
          history.push(m);
          if (better(m)) {
            best = m;
            bestWeights.keep(model);
          }
          const checkpoint = () => encodeCheckpoint(model, m.epoch, best === m ? null : bestWeights.tensors);
          try {
            const decision = await opts.onEpochEnd?.(m, checkpoint);
            if (decision === 'stop' || decision === 'prune') {
              stopped = true;
              pruned = decision === 'prune';
              model.stopTraining = true;
            }
          } catch (err) {
            fail(err);
          }
        },
      },
    });
    if (failure) throw failure;
    bestWeights.restore(model);
    const sorted = firstEpochBatches.slice(1).sort((a, b) => a - b);
    const batches = { firstBatchMs: Math.round(firstEpochBatches[0] ?? 0), medianBatchMs: Math.round(sorted[sorted.length >> 1] ?? 0) };
    return { epochs: history, best, stopped, pruned, batches };
  } finally {
    bestWeights.dispose();
    tf.dispose([fitData.xs, fitData.ys]);
    if (valData) tf.dispose([valData.xs, valData.ys]);
  }
}
