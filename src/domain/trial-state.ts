// Trial states and the only transitions allowed between them. Every state change goes through
// assertTransition (called by the trial service), so no path can skip a rule.
import { ConflictError, DomainError, TrainingError, TrialCancelledError } from './errors.js';

export const TRIAL_STATUSES = ['waiting', 'running', 'completed', 'pruned', 'failed', 'cancelled'] as const;
export type TrialStatus = (typeof TRIAL_STATUSES)[number];
export const FINAL_TRIAL_STATUSES: readonly TrialStatus[] = ['completed', 'pruned', 'failed', 'cancelled'];

const ALLOWED: Record<TrialStatus, readonly TrialStatus[]> = {
  waiting: ['running', 'cancelled', 'failed'],
  // running → running: a retry after a crashed worker picks the trial up again.
  // running → waiting: handed back at an epoch boundary (graceful shutdown) or recovered after a lost heartbeat.
  running: ['running', 'waiting', 'completed', 'pruned', 'failed', 'cancelled'],
  completed: [],
  pruned: [],
  failed: [],
  cancelled: [],
};

export const isFinalTrialStatus = (s: TrialStatus): boolean => FINAL_TRIAL_STATUSES.includes(s);

export function canTransition(from: TrialStatus, to: TrialStatus): boolean {
  return ALLOWED[from].includes(to);
}

export function assertTransition(trialId: string, from: TrialStatus, to: TrialStatus): void {
  if (!canTransition(from, to)) throw new ConflictError(`trial '${trialId}' cannot go from ${from} to ${to}`);
}

/** States a trial may be in for a move to `to`: the sources of the compare-and-set in the store. */
export function sourcesOf(to: TrialStatus): TrialStatus[] {
  return TRIAL_STATUSES.filter((from) => canTransition(from, to));
}

/**
 * What an error thrown by training means for the trial: the one place errors become trial states.
 * `retry` means the job should be attempted again (a crash or an unknown error may be transient).
 */
export function trialOutcomeOf(err: unknown): { status: 'failed' | 'cancelled'; retry: boolean; message: string } {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof TrialCancelledError) return { status: 'cancelled', retry: false, message };
  if (err instanceof TrainingError) return { status: 'failed', retry: false, message };
  if (err instanceof DomainError) return { status: 'failed', retry: false, message };
  // Running again on the same hyperparameters and data cannot help: memory the model needs
  // (tfjs and the wasm heap throw RangeError 'Array buffer allocation failed') or shapes that do not fit.
  if (err instanceof RangeError && OUT_OF_MEMORY.test(message)) return { status: 'failed', retry: false, message: `out of memory: ${message}` };
  if (SHAPE_ERROR.test(message)) return { status: 'failed', retry: false, message };
  return { status: 'failed', retry: true, message };
}

const OUT_OF_MEMORY = /allocation failed|out of memory|Invalid typed array length|Array buffer/i;
// tfjs' wording for tensors and layers whose shapes disagree.
const SHAPE_ERROR = /could not be broadcast|Error when checking (input|target)|Incompatible shapes|\bshapes?\b.*\b(must match|does not match|incompatible)|\brank\b.*\bmust be/i;

export const SEARCH_STATUSES = ['queued', 'running', 'completed', 'cancelled', 'failed'] as const;
export type SearchStatus = (typeof SEARCH_STATUSES)[number];
export const isFinalSearchStatus = (s: SearchStatus): boolean => s === 'completed' || s === 'cancelled' || s === 'failed';
