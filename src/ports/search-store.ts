// The searches-and-trials port: a search's record and its trials, written together by the
// scheduling commit (the optimistic lock that serializes the oracle per search), and each trial
// moved through its states by compare-and-set.
import type { HpValues } from '../domain/hyperparameters.js';
import type { SearchSpec } from '../domain/search-spec.js';
import type { SearchStatus, TrialStatus } from '../domain/trial-state.js';
import type { EpochRecord } from './epoch-store.js';
import type { Page, PageRequest, TimeKey } from './page.js';

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

/** A search without its spec: what changes while it runs (the spec, which can be megabytes, never does). */
export type SearchState = Omit<SearchRecord, 'spec'>;

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
  /**
   * Median single-image prediction latency of its kept model, in ms, measured by its run on its
   * backend; only on a search with a `latency_ms` objective, else (or when it failed) null.
   */
  latencyMs: number | null;
  backend: string | null;
  error: string | null;
  attempts: number;
  modelId: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  heartbeatAt: Date | null;
  /** A user asked to cancel it (POST .../trials/:trialId/cancel) while it ran: it stops at its next epoch boundary. */
  cancelRequestedAt: Date | null;
}

export interface TrialWithEpochs extends TrialRecord {
  epochs: EpochRecord[];
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
  latencyMs?: number | null;
  /** A pruned trial's epoch count is the epoch it stopped at: budgets count what it trained. */
  targetEpochs?: number | null;
  backend?: string | null;
  error?: string | null;
  attempts?: number;
  startedAt?: Date | null;
  finishedAt?: Date | null;
  heartbeatAt?: Date | null;
  cancelRequestedAt?: Date | null;
}

/** What GET /searches lists of a search: never its spec, only columns copied from it at creation. */
export interface SearchSummaryRecord {
  id: string;
  name: string;
  status: SearchStatus;
  error: string | null;
  bestModelId: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
  algorithm: string;
  datasetId: string;
  objective: { metric: string; direction: string };
  maxTrials: number;
  /** Trials per state; absent states count 0. */
  trialCounts: Partial<Record<TrialStatus, number>>;
  bestTrial: Pick<TrialRecord, 'id' | 'number' | 'hyperparameters' | 'valAccuracy' | 'value'> | null;
}

export interface NewSearch { id: string; name: string; spec: SearchSpec; tenant?: string | null }

/** Why a search was not created on an uploaded dataset: its row is gone, or its status is not 'ready'. */
export interface DatasetUnavailable { datasetState: string }

export interface SearchStore {
  createSearch(input: NewSearch): Promise<SearchRecord>;
  /**
   * Creates the search only while the uploaded dataset `datasetId` exists (and is ready, where
   * datasets have a status): checked and inserted in one transaction on the dataset's row, so a
   * concurrent delete either sees the search or deletes first. 'missing': the dataset is gone.
   */
  createSearchOnDataset(input: NewSearch, datasetId: string): Promise<SearchRecord | DatasetUnavailable>;
  getSearch(id: string): Promise<SearchRecord | null>;
  /** The search without reading its spec (GET /searches/:id/events polls it). */
  getSearchState(id: string): Promise<SearchState | null>;
  /** `tenant` given: that tenant's searches only; `statuses` given: searches in those states only. */
  listSearches(filter?: { tenant?: string; statuses?: SearchStatus[] }): Promise<SearchRecord[]>;
  /** A page of summaries, newest first (createdAt, then id, descending); `tenant` given: that tenant's only. */
  listSearchSummaries(filter: { tenant?: string }, page: PageRequest<TimeKey>): Promise<Page<SearchSummaryRecord, TimeKey>>;
  /**
   * A tenant's (null: no tenant's) searches still at work: queued or running, or finished with a
   * trial still waiting or running (a retrain). The running-searches quota counts these.
   */
  countUnfinishedSearches(tenant: string | null): Promise<number>;
  /** Applies the patch and inserts the trials only if the search is still at `expectedVersion`; false otherwise. */
  commitSchedule(searchId: string, expectedVersion: number, patch: SearchPatch, newTrials: NewTrial[]): Promise<boolean>;

  getTrial(id: string): Promise<TrialRecord | null>;
  listTrials(searchId: string): Promise<TrialRecord[]>;
  /**
   * The search's trials numbered after `afterNumber`, and those numbered in `numbers`, by number:
   * what can have changed since a read that saw trials up to `afterNumber` and these unfinished.
   */
  listTrialsSince(searchId: string, afterNumber: number, numbers: number[]): Promise<TrialRecord[]>;
  listTrialsWithEpochs(searchId: string): Promise<TrialWithEpochs[]>;
  /** A page of the search's trials by number, after the trial numbered `page.after`. */
  pageTrialsWithEpochs(searchId: string, page: PageRequest<number>): Promise<Page<TrialWithEpochs, number>>;
  /** Trials of any search in these states (start-up reconciliation). */
  findTrials(statuses: TrialStatus[]): Promise<TrialRecord[]>;
  /** Compare-and-set: applies the patch only while the trial is in one of `from`; false otherwise. */
  updateTrialIf(id: string, from: TrialStatus[], patch: TrialPatch): Promise<boolean>;
  /** How many trials are in each state, across all searches (GET /metrics); absent states count 0. */
  countTrialsByStatus(): Promise<Partial<Record<TrialStatus, number>>>;
}
