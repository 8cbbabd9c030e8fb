// What the services need from a training engine (implemented with tfjs in src/training/), so the
// trial lifecycle can be tested and reasoned about without tensors.
import type { ConcreteModel } from './model-template.js';

export interface EpochMetrics {
  /** Counted from 1, as Keras prints it. */
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  durationMs: number;
}

/** Training state at an epoch boundary, encoded by the engine; opaque to everything else. */
export interface TrainingCheckpoint {
  /** The last epoch it includes: training resumes at epoch + 1. */
  epoch: number;
  weightSpecs: unknown[];
  weightData: Uint8Array;
}

export interface TrainRequest {
  model: ConcreteModel;
  dataset: { id: string; limit?: number };
  training: { epochs: number; batchSize: number; validationSplit: number };
  /** Continue a crashed or handed-back run: its checkpoint and the metrics of epochs 1..checkpoint.epoch. */
  resume?: { checkpoint: TrainingCheckpoint; epochs: EpochMetrics[] };
  /**
   * Called after each epoch with a way to encode the state at this boundary; 'stop' ends training
   * here (a cancelled search, a worker shutting down).
   */
  onEpochEnd: (m: EpochMetrics, checkpoint: () => Promise<TrainingCheckpoint>) => Promise<'continue' | 'stop'>;
  /** Called after every batch (liveness while an epoch runs: the caller throttles its heartbeats). */
  onBatchEnd?: () => Promise<void>;
}

export interface TrainResult {
  epochs: EpochMetrics[];
  /** The epoch whose weights the artifact holds (best val_accuracy, as Keras Tuner checkpoints). */
  best: EpochMetrics | null;
  stopped: boolean;
  artifact: { modelTopology: unknown; weightSpecs: unknown[]; weightData: Uint8Array } | null;
  /** Where the trial's time went, so overheads beside fit() stay visible (logs, bench:trial). */
  phases: TrainPhases;
}

export interface TrainPhases { loadMs: number; buildMs: number; fitMs: number; saveMs: number }

export interface TrainingEngine {
  readonly backend: string;
  train(req: TrainRequest): Promise<TrainResult>;
}

export interface LoadedModel {
  /** Probabilities, row-major [count, classes], for inputs already normalized. */
  predict(inputs: Float32Array, count: number, shape: number[]): Promise<Float32Array>;
  dispose(): void;
}

export interface InferenceEngine {
  load(artifact: { modelTopology: unknown; weightSpecs: unknown[]; weightData: Uint8Array }): Promise<LoadedModel>;
}
