// What the services need from a training engine (implemented with tfjs in src/training/), so the
// trial lifecycle can be tested and reasoned about without tensors.
import type { DecodedJson, InstancesJsonSpec } from './instances-json.js';
import type { ArtifactDescription, ArtifactFormat, ModelArtifact } from './model-artifact.js';
import type { ConcreteModel } from './model-template.js';
import type { Precision } from './precision.js';
import type { SearchSpec } from './search-spec.js';

export interface EpochMetrics {
  /** Counted from 1, as Keras prints it. */
  epoch: number;
  loss: number;
  accuracy: number;
  /** NaN without validation data (validationSplit 0), as are valAccuracy's. */
  valLoss: number;
  valAccuracy: number;
  durationMs: number;
}

/** After an epoch: go on; 'stop' without a result; 'prune': stop, but keep the result of the best epoch so far. */
export type EpochDecision = 'continue' | 'stop' | 'prune';

/** Weights in the tfjs format (specs and one buffer), as an artifact or a checkpoint holds them. */
export type ModelWeights = Pick<ModelArtifact, 'weightSpecs' | 'weightData'>;

/** Training state at an epoch boundary, encoded by the engine; opaque to everything else. */
export interface TrainingCheckpoint extends ModelWeights {
  /** The last epoch it includes: training resumes at epoch + 1. */
  epoch: number;
}

export interface TrainRequest {
  model: ConcreteModel;
  dataset: SearchSpec['dataset'];
  /**
   * `epochs`: the epoch number training ends at (the trial's target epochs). `precision`: absent
   * means fp32; an engine whose backend cannot train it throws a TrainingError (not retried).
   */
  training: { epochs: number; batchSize: number; validationSplit: number; precision?: Precision };
  /**
   * Fixes the run's randomness: weight initialisation, each epoch's batch order and each step's
   * dropout masks, all derived by position (layer, epoch, step), so epochs k+1.. draw the same
   * whether or not epochs 1..k ran in this process (trial-seed.ts; a trial's comes from there too).
   */
  seed: number;
  /** Epochs trained before this run starts (a parent trial's): epochs are numbered initialEpoch+1..training.epochs. Default 0. */
  initialEpoch?: number;
  /** Weights to start from (a parent trial's stored model); absent: the initializers'. The optimizer starts fresh either way. */
  initialWeights?: ModelWeights;
  /** Decides which epoch is best (the weights the artifact holds); default val_accuracy, max. */
  objective?: SearchSpec['objective'];
  /**
   * Continue a crashed or handed-back run: its checkpoint and the metrics of epochs
   * initialEpoch+1..checkpoint.epoch. Training goes on after checkpoint.epoch from the
   * checkpoint's weights, so initialWeights then goes unused.
   */
  resume?: { checkpoint: TrainingCheckpoint; epochs: EpochMetrics[] };
  /**
   * Called after each epoch with a way to encode the state at this boundary; 'stop' ends training
   * here without a result (a cancelled search, a worker shutting down); 'prune' ends it too, but
   * the result and artifact of the best epoch so far still come back (early stopping).
   */
  onEpochEnd: (m: EpochMetrics, checkpoint: () => Promise<TrainingCheckpoint>) => Promise<EpochDecision>;
  /** Called after every batch (liveness while an epoch runs: the caller throttles its heartbeats). */
  onBatchEnd?: () => Promise<void>;
}

export interface TrainResult {
  epochs: EpochMetrics[];
  /** The epoch whose weights the artifact holds (best by the objective, as Keras Tuner checkpoints). */
  best: EpochMetrics | null;
  stopped: boolean;
  /** Stopped by 'prune': the artifact is still there. */
  pruned: boolean;
  /** Null when stopped other than by 'prune', or without any epoch. */
  artifact: ModelArtifact | null;
  /** Where the trial's time went, so overheads beside fit() stay visible (logs, bench:trial). */
  phases: TrainPhases;
}

/** `firstBatchMs` vs `medianBatchMs` (first trained epoch): the backend's warm-up, inside fitMs. */
export interface TrainPhases { loadMs: number; buildMs: number; fitMs: number; saveMs: number; firstBatchMs?: number; medianBatchMs?: number }

export interface TrainingEngine {
  readonly backend: string;
  train(req: TrainRequest): Promise<TrainResult>;
  /**
   * The `latency_ms` objective: the median time (ms) of a single-input prediction of `artifact` on
   * this engine's backend, timed as the service serves it (loaded from the artifact, one forward
   * pass, the probabilities read back), after a few untimed warm-up calls. `inputShape`:
   * [height, width, channels] of the dataset. Asked only by searches that list `latency_ms`.
   */
  predictionLatency(artifact: ModelArtifact, inputShape: number[]): Promise<number>;
}

export interface LoadedModel {
  /** Probabilities, row-major [count, classes], for inputs already normalized. */
  predict(inputs: Float32Array, count: number, shape: number[]): Promise<Float32Array>;
  dispose(): void;
  /** Passes that can usefully run at once (a pool's threads); 1 when absent. */
  parallelism?: number;
}

export interface InferenceEngine {
  load(artifact: ModelArtifact): Promise<LoadedModel>;
  /**
   * The artifact as a file to download: `tfjs`, the files its own runtime loads (model.json and
   * weights.bin, zipped); `onnx`, one ONNX model that carries `about` in its metadata.
   */
  archive(artifact: ModelArtifact, format: ArtifactFormat, about: ArtifactDescription): Promise<Uint8Array>;
  /**
   * A prediction's JSON body decoded away from the caller's event loop (decodeInstancesJson, in an
   * engine with threads); absent where it would run on that loop anyway.
   */
  decodeInstances?(bytes: Uint8Array, spec: InstancesJsonSpec): Promise<DecodedJson>;
}
