// The persistence port. Services depend on this interface only; prisma-store.ts implements it
// for SQLite and PostgreSQL, and one test suite runs against both.
import type { HpValues } from '../domain/hyperparameters.js';
import type { SearchSpec } from '../domain/search-spec.js';
import type { SearchStatus, TrialStatus } from '../domain/trial-state.js';
import type { ModelArtifact } from '../domain/model-artifact.js';
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
  /** Warm-start configurations (POST /searches/:id/trials) the planner has not scheduled yet. */
  pendingTrials: HpValues[];
}

/** Who asked for a trial: the search algorithm, a user's warm start, or a retrain of the best. */
export type TrialSource = 'oracle' | 'user' | 'retrain';

/** How a trial trains, beside its hyperparameters: set by hyperband/asha promotions and retrains. */
export interface TrialPlanFields {
  /** Epoch count it trains to; null: the search's training.epochs. */
  targetEpochs: number | null;
  /** Epochs its parent trained already: it starts from the parent's best weights at this epoch. */
  initialEpoch: number;
  parentTrialId: string | null;
  bracket: number | null;
  rung: number | null;
  source: TrialSource;
}

export interface TrialRecord extends TrialPlanFields {
  id: string;
  searchId: string;
  number: number;
  status: TrialStatus;
  hyperparameters: HpValues;
  valAccuracy: number | null;
  /** The objective's value (spec.objective.metric at the best epoch, averaged over executions). */
  value: number | null;
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
  /** Which execution (executionsPerTrial) it belongs to, from 0; absent means 0. */
  execution?: number;
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

export interface ModelRecord {
  id: string;
  searchId: string;
  trialId: string;
  /** The model it continued training from (a retrain); null for a search trial's own model. */
  parentModelId: string | null;
  summary: ModelSummary;
  createdAt: Date;
}

export interface NewTrial extends Partial<TrialPlanFields> {
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
  pendingTrials?: HpValues[];
}

export interface TrialPatch {
  status?: TrialStatus;
  valAccuracy?: number | null;
  value?: number | null;
  /** A pruned trial's epoch count is the epoch it stopped at: budgets count what it trained. */
  targetEpochs?: number | null;
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
  /** `tenant` given: that tenant's searches only; `statuses` given: searches in those states only. */
  listSearches(filter?: { tenant?: string; statuses?: SearchStatus[] }): Promise<SearchRecord[]>;
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
  /** Deletes the trial's epochs after `afterEpoch` of `execution` and all of later executions (all of them by default). */
  deleteEpochs(trialId: string, afterEpoch?: number, execution?: number): Promise<void>;

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
  saveModel(input: { id: string; searchId: string; trialId: string; parentModelId?: string | null; summary: ModelSummary; artifact: ModelArtifact }): Promise<ModelRecord>;
  getModel(id: string): Promise<ModelRecord | null>;
  getModelArtifact(id: string): Promise<ModelArtifact | null>;

  close(): Promise<void>;
}
