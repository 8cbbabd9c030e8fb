// The epochs-and-checkpoints port: what a running trial writes at each epoch's end (its metrics,
// and the training state a retry resumes from), and the raw epoch rows GET /metrics aggregates.
import type { EpochMetrics } from '../domain/training-port.js';

/** One epoch's metrics as stored: the training port's EpochMetrics, keyed by trial. */
export interface EpochRecord extends EpochMetrics {
  trialId: string;
  /** Which execution (executionsPerTrial) it belongs to, from 0; absent means 0. */
  execution?: number;
}

/** A running trial's end-of-epoch training state (opaque to the store: the engine encodes it). */
export interface CheckpointRecord {
  trialId: string;
  /** The execution it belongs to (executionsPerTrial), from 0; absent means 0. */
  execution?: number;
  /** The last epoch whose metrics and weights it holds; a retry resumes at epoch + 1. */
  epoch: number;
  weightSpecs: unknown[];
  weightData: Uint8Array;
}

/** See EpochStore.epochStatsByBackend. */
export interface BackendEpochStats {
  backend: string;
  epochs: number;
  recent: { dataset: { id: string; limit?: number }; validationSplit: number; epochDurationsMs: number[] }[];
}

export interface EpochStore {
  /** One trial's epochs, in order. */
  listEpochs(trialId: string): Promise<EpochRecord[]>;
  /** Idempotent per (trial, epoch): a replayed epoch overwrites, never duplicates. */
  recordEpoch(epoch: EpochRecord): Promise<void>;
  /** Deletes the trial's epochs after `afterEpoch` of `execution` and all of later executions (all of them by default). */
  deleteEpochs(trialId: string, afterEpoch?: number, execution?: number): Promise<void>;

  /**
   * Per training backend: all its stored epochs, and the epochs of its `recentTrials` most recently
   * started trials with what their search says about the training set (GET /metrics).
   */
  epochStatsByBackend(recentTrials: number): Promise<BackendEpochStats[]>;

  /** One checkpoint per trial: saving again replaces it. */
  saveCheckpoint(checkpoint: CheckpointRecord): Promise<void>;
  getCheckpoint(trialId: string): Promise<CheckpointRecord | null>;
  deleteCheckpoint(trialId: string): Promise<void>;
}
