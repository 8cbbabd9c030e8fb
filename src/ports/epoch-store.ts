// The epochs-and-checkpoints port: what a running trial writes at each epoch's end (its metrics,
// and the training state a retry resumes from), and the raw epoch rows GET /metrics aggregates.
import type { SearchSpec } from '../domain/search-spec.js';
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

/** A trained trial's epochs as GET /metrics reads them: its search's spec and each epoch's duration. */
export interface TrainedTrialEpochs {
  spec: SearchSpec;
  epochDurationsMs: number[];
}

export interface EpochStore {
  /** One trial's epochs, in order. */
  listEpochs(trialId: string): Promise<EpochRecord[]>;
  /** These trials' epochs, each trial's in order (GET /searches/:id/events reads its unfinished trials'). */
  listEpochsOf(trialIds: string[]): Promise<EpochRecord[]>;
  /** Idempotent per (trial, epoch): a replayed epoch overwrites, never duplicates. */
  recordEpoch(epoch: EpochRecord): Promise<void>;
  /** Deletes the trial's epochs after `afterEpoch` of `execution` and all of later executions (all of them by default). */
  deleteEpochs(trialId: string, afterEpoch?: number, execution?: number): Promise<void>;

  /** One row per trial that trained (its backend is set when it starts): the backend and how many epochs it stored. */
  epochCountsByTrial(): Promise<{ backend: string; epochs: number }[]>;
  /** The `limit` most recently started trials of `backend` that stored epochs, newest first. */
  recentTrainedTrials(backend: string, limit: number): Promise<TrainedTrialEpochs[]>;

  /** One checkpoint per trial: saving again replaces it. */
  saveCheckpoint(checkpoint: CheckpointRecord): Promise<void>;
  getCheckpoint(trialId: string): Promise<CheckpointRecord | null>;
  deleteCheckpoint(trialId: string): Promise<void>;
}
