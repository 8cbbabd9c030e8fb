// What a running trial does once an epoch is recorded and checkpointed: go on, stop because a
// user cancelled it or its search ended, hand it back because its worker is shutting down, or
// stop early (pruned). Pure, so every case can be
// checked without a store or training; the runner gathers the inputs and acts on the answer.
import { isFinalSearchStatus, type SearchStatus } from './trial-state.js';

export type AfterEpoch =
  | { kind: 'continue' }
  /** The search ended: the trial is cancelled (training returns no result). */
  | { kind: 'search-ended'; searchStatus: SearchStatus }
  /** A user cancelled this trial (POST /searches/:id/trials/:trialId/cancel): it ends cancelled, its epochs kept. */
  | { kind: 'cancel-requested' }
  /** The worker is shutting down: the trial goes back to waiting, to resume from this checkpoint. */
  | { kind: 'hand-back' }
  /** Early stopping: training ends here, keeping the best epoch so far as the trial's result. */
  | { kind: 'prune'; reason: string };

export interface EpochEnd {
  /** A retrain continues a finished search: only a cancel stops it, and it is never pruned. */
  retrain: boolean;
  /** The search's status read after the epoch; undefined when the search is gone. */
  searchStatus: SearchStatus | undefined;
  /** The epoch just trained is the trial's last (its last execution's target epoch). */
  finished: boolean;
  /** The trial's stored cancel request, read after the epoch: set by any process, it survives restarts. */
  cancelRequested: boolean;
}

/** A retrain continues a finished search, so only a cancelled search stops it; any other trial ends with its search. */
export const searchStopsTrial = (retrain: boolean, status: SearchStatus): boolean =>
  (retrain ? status === 'cancelled' : isFinalSearchStatus(status));

const searchEnded = (e: EpochEnd): boolean => e.searchStatus !== undefined && searchStopsTrial(e.retrain, e.searchStatus);

/**
 * Whether the pruner's verdict is wanted (it reads every trial of the search, so only then).
 * Not after the very last epoch: nothing is left to save, and a pruned trial would leave the
 * completed ones that rank rungs, the median and the best.
 */
export const asksPruner = (e: EpochEnd): boolean => !e.cancelRequested && !searchEnded(e) && !e.finished && !e.retrain;

/**
 * The decision after an epoch. `pruneReason`: the pruner's verdict when `asksPruner` wanted it,
 * else null; `shutdownRequested`: the worker asked the run to stop. An ended search outranks a
 * user's cancel (both cancel; the search's reason is the wider one), a cancel outranks a verdict
 * and a shutdown (the user asked for this trial to end, even after its last epoch: a handed-back
 * trial would run again), and a verdict a shutdown (the pruned trial is over: nothing to hand back).
 */
export function afterEpoch(e: EpochEnd & { pruneReason: string | null; shutdownRequested: boolean }): AfterEpoch {
  if (e.searchStatus !== undefined && searchEnded(e)) return { kind: 'search-ended', searchStatus: e.searchStatus };
  if (e.cancelRequested) return { kind: 'cancel-requested' };
  if (e.pruneReason && asksPruner(e)) return { kind: 'prune', reason: e.pruneReason };
  if (e.shutdownRequested && !e.finished) return { kind: 'hand-back' };
  return { kind: 'continue' };
}

/** What the training engine is told: both ways of stopping without a result are its 'stop'. */
export const engineDecision = (d: AfterEpoch): 'continue' | 'stop' | 'prune' =>
  (d.kind === 'continue' ? 'continue' : d.kind === 'prune' ? 'prune' : 'stop');
