// What a search should do next, from its spec and trial history alone. Pure: the scheduler
// service reads the history, calls planNext, and commits the plan atomically.
import type { Oracle } from './oracle.js';
import type { HpValues } from './hyperparameters.js';
import type { SearchSpec } from './search-spec.js';
import { isFinalTrialStatus, type SearchStatus, type TrialStatus } from './trial-state.js';

export interface TrialView {
  id: string;
  status: TrialStatus;
  hyperparameters: HpValues;
  valAccuracy: number | null;
  modelId: string | null;
}

export interface Plan {
  newTrials: HpValues[];
  /** Set when the search ends with this plan. */
  finalStatus: Extract<SearchStatus, 'completed' | 'failed'> | null;
  error: string | null;
  bestTrialId: string | null;
  bestModelId: string | null;
}

export function bestTrial(spec: SearchSpec, trials: TrialView[]): TrialView | null {
  const sign = spec.objective.direction === 'max' ? 1 : -1;
  let best: TrialView | null = null;
  for (const t of trials) {
    if (t.status !== 'completed' || t.valAccuracy === null) continue;
    if (!best || sign * (t.valAccuracy - best.valAccuracy!) > 0) best = t;
  }
  return best;
}

export function planNext(spec: SearchSpec, trials: TrialView[], oracle: Oracle): Plan {
  const best = bestTrial(spec, trials);
  // Too many failures: stop now (running trials see the final search status at their next epoch end).
  const failed = trials.filter((t) => t.status === 'failed').length;
  const maxFailed = spec.budget.maxFailedTrials;
  if (maxFailed !== undefined && failed >= maxFailed) {
    const error = `${failed} trial(s) failed, reaching budget.maxFailedTrials (${maxFailed}); no more trials are scheduled`;
    return { newTrials: [], finalStatus: 'failed', error, bestTrialId: best?.id ?? null, bestModelId: best?.modelId ?? null };
  }
  const active = trials.filter((t) => !isFinalTrialStatus(t.status)).length;
  const room = Math.max(0, Math.min(spec.budget.maxParallelTrials - active, spec.budget.maxTrials - trials.length));
  const { values, exhausted } = room > 0
    ? oracle.suggest({
      space: spec.hyperparameters,
      seed: spec.algorithm.seed,
      direction: spec.objective.direction,
      initialRandomTrials: spec.algorithm.initialRandomTrials,
      history: trials.map((t) => ({ hyperparameters: t.hyperparameters, status: t.status, value: t.valAccuracy })),
    }, room)
    : { values: [], exhausted: false };
  const total = trials.length + values.length;
  const done = active === 0 && values.length === 0 && (total >= spec.budget.maxTrials || exhausted);
  let finalStatus: Plan['finalStatus'] = null;
  let error: string | null = null;
  if (done) {
    finalStatus = trials.some((t) => t.status === 'completed') ? 'completed' : 'failed';
    if (finalStatus === 'failed') error = `no trial completed (${trials.length} failed or cancelled)`;
  }
  return { newTrials: values, finalStatus, error, bestTrialId: best?.id ?? null, bestModelId: best?.modelId ?? null };
}
