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

export interface TrainRequest {
  model: ConcreteModel;
  dataset: { id: string; limit?: number };
  training: { epochs: number; batchSize: number; validationSplit: number };
  /** Called after each epoch; 'stop' ends training at this boundary (a cancelled search). */
  onEpochEnd: (m: EpochMetrics) => Promise<'continue' | 'stop'>;
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
