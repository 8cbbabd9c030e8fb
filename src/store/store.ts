// The persistence port. Services depend on this interface only; prisma-store.ts implements it
// for SQLite and PostgreSQL, and one test suite runs against both.
import type { HpValues } from '../domain/hyperparameters.js';
import type { SearchSpec } from '../domain/search-spec.js';
import type { SearchStatus, TrialStatus } from '../domain/trial-state.js';
import type { ModelSummary } from '../domain/model-summary.js';
import type { EpochMetrics } from '../domain/training-port.js';

export interface SearchRecord {
  id: string;
  name: string;
  spec: SearchSpec;
  status: SearchStatus;
  /** Bumped by every scheduling commit: the optimistic lock that serializes the oracle per search. */
  version: number;
  error: string | null;
  bestTrialId: string | null;
  bestModelId: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  /** The tenant that owns it (its trials and models follow it); null when authentication is off. */
  tenant: string | null;
}

export interface TrialRecord {
  id: string;
  searchId: string;
  number: number;
  status: TrialStatus;
  hyperparameters: HpValues;
  valAccuracy: number | null;
  backend: string | null;
  error: string | null;
  attempts: number;
  modelId: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  heartbeatAt: Date | null;
}

/** One epoch's metrics as stored: the training port's EpochMetrics, keyed by trial. */
export interface EpochRecord extends EpochMetrics {
  trialId: string;
}

/** See Store.epochStatsByBackend. */
export interface BackendEpochStats {
  backend: string;
  epochs: number;
  recent: { dataset: { id: string; limit?: number }; validationSplit: number; epochDurationsMs: number[] }[];
}

export interface TrialWithEpochs extends TrialRecord {
  epochs: EpochRecord[];
}

/** A tfjs layers-format artifact (what model.json and weights.bin hold). */
export interface ModelArtifact {
  modelTopology: unknown;
  weightSpecs: unknown[];
  weightData: Uint8Array;
}

/** A running trial's end-of-epoch training state (opaque to the store: the engine encodes it). */
export interface CheckpointRecord {
  trialId: string;
  /** The last epoch whose metrics and weights it holds; a retry resumes at epoch + 1. */
  epoch: number;
  weightSpecs: unknown[];
  weightData: Uint8Array;
}

export interface ModelRecord {
  id: string;
  searchId: string;
  trialId: string;
  summary: ModelSummary;
  createdAt: Date;
}

export interface NewTrial {
  id: string;
  number: number;
  hyperparameters: HpValues;
}

/** Fields a scheduling step may change on its search, committed with the new trials or not at all. */
export interface SearchPatch {
  status?: SearchStatus;
  error?: string | null;
  bestTrialId?: string | null;
  bestModelId?: string | null;
  finishedAt?: Date | null;
}

export interface TrialPatch {
  status?: TrialStatus;
  valAccuracy?: number | null;
  backend?: string | null;
  error?: string | null;
  attempts?: number;
  startedAt?: Date | null;
  finishedAt?: Date | null;
  heartbeatAt?: Date | null;
}

export interface Store {
  createSearch(input: { id: string; name: string; spec: SearchSpec; tenant?: string | null }): Promise<SearchRecord>;
  getSearch(id: string): Promise<SearchRecord | null>;
  /** `tenant` given: that tenant's searches only. */
  listSearches(filter?: { tenant?: string }): Promise<SearchRecord[]>;
  /** Applies the patch and inserts the trials only if the search is still at `expectedVersion`; false otherwise. */
  commitSchedule(searchId: string, expectedVersion: number, patch: SearchPatch, newTrials: NewTrial[]): Promise<boolean>;
  /** Unconditional update of a search (cancel, first trial started). Bumps the version. */
  updateSearch(id: string, patch: SearchPatch): Promise<void>;

  getTrial(id: string): Promise<TrialRecord | null>;
  listTrials(searchId: string): Promise<TrialRecord[]>;
  listTrialsWithEpochs(searchId: string): Promise<TrialWithEpochs[]>;
  /** Trials of any search in these states (start-up reconciliation). */
  findTrials(statuses: TrialStatus[]): Promise<TrialRecord[]>;
  /** Compare-and-set: applies the patch only while the trial is in one of `from`; false otherwise. */
  updateTrialIf(id: string, from: TrialStatus[], patch: TrialPatch): Promise<boolean>;

  /** One trial's epochs, in order. */
  listEpochs(trialId: string): Promise<EpochRecord[]>;
  /** Idempotent per (trial, epoch): a replayed epoch overwrites, never duplicates. */
  recordEpoch(epoch: EpochRecord): Promise<void>;
  /** Deletes the trial's epochs after `afterEpoch` (all of them by default). */
  deleteEpochs(trialId: string, afterEpoch?: number): Promise<void>;

  /** How many trials are in each state, across all searches (GET /metrics); absent states count 0. */
  countTrialsByStatus(): Promise<Partial<Record<TrialStatus, number>>>;
  /**
   * Per training backend: all its stored epochs, and the epochs of its `recentTrials` most recently
   * started trials with what their search says about the training set (GET /metrics).
   */
  epochStatsByBackend(recentTrials: number): Promise<BackendEpochStats[]>;

  /** One checkpoint per trial: saving again replaces it. */
  saveCheckpoint(checkpoint: CheckpointRecord): Promise<void>;
  getCheckpoint(trialId: string): Promise<CheckpointRecord | null>;
  deleteCheckpoint(trialId: string): Promise<void>;

  /** One model per trial: saving again replaces it. */
  saveModel(input: { id: string; searchId: string; trialId: string; summary: ModelSummary; artifact: ModelArtifact }): Promise<ModelRecord>;
  getModel(id: string): Promise<ModelRecord | null>;
  getModelArtifact(id: string): Promise<ModelArtifact | null>;

  close(): Promise<void>;
}
