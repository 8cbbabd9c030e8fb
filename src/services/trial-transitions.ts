// The one function through which a trial changes state: it checks the transition against the
// domain rules and applies it as a compare-and-set, so two processes can never both move a trial.
import { NotFoundError } from '../domain/errors.js';
import { assertTransition, isFinalTrialStatus, type TrialStatus } from '../domain/trial-state.js';
import type { TrialPatch, TrialRecord } from '../ports/search-store.js';
import type { Store } from '../ports/store.js';

/**
 * Moves the trial from the state it is in now to `to`. Returns the trial as it was before the move,
 * or null when another process changed it first (the caller lost a race and should re-read), or when
 * `onlyFrom` is given and the trial is no longer in that state.
 */
export async function moveTrial(
  store: Store, trialId: string, to: TrialStatus, patch: Omit<TrialPatch, 'status'> = {}, onlyFrom?: TrialStatus,
): Promise<TrialRecord | null> {
  const trial = await store.getTrial(trialId);
  if (!trial) throw new NotFoundError('trial', trialId);
  if (onlyFrom && trial.status !== onlyFrom) return null;
  assertTransition(trialId, trial.status, to);
  const ok = await store.updateTrialIf(trialId, [trial.status], { ...patch, status: to });
  // A checkpoint only serves a retry; once the trial has ended nothing will resume it.
  if (ok && isFinalTrialStatus(to)) await store.deleteCheckpoint(trialId);
  return ok ? trial : null;
}

/** Marks a trial failed for good unless it already ended (the worker calls this when retries are spent). */
export async function failTrial(store: Store, trialId: string, reason: string): Promise<void> {
  const trial = await store.getTrial(trialId);
  if (!trial || isFinalTrialStatus(trial.status)) return;
  await moveTrial(store, trialId, 'failed', { error: reason, finishedAt: new Date() });
}
