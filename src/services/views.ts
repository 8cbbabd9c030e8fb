// What the API shows of searches and trials (SearchView, TrialView: the response schemas' types),
// derived from store records, never stored twice.
import { meanEpochs } from '../domain/objective.js';
import { trialEpochs } from '../domain/schedule.js';
import type { SearchSpec } from '../domain/search-spec.js';
import { TRIAL_STATUSES } from '../domain/trial-state.js';
import type { SearchRecord, TrialRecord, TrialWithEpochs } from '../ports/search-store.js';
import type { SearchView, TrialView } from '../schemas/search-schemas.js';

export function searchView(search: SearchRecord, trials: TrialRecord[]): SearchView {
  const counts = Object.fromEntries(TRIAL_STATUSES.map((s) => [s, 0])) as SearchView['trials'];
  counts.total = trials.length;
  for (const t of trials) counts[t.status]++;
  const best = trials.find((t) => t.id === search.bestTrialId);
  return {
    id: search.id,
    name: search.name,
    status: search.status,
    trials: counts,
    bestTrial: best ? { id: best.id, number: best.number, hyperparameters: best.hyperparameters, valAccuracy: best.valAccuracy, value: best.value } : null,
    bestModelId: search.bestModelId,
    error: search.error,
    spec: search.spec,
    createdAt: search.createdAt.toISOString(),
    finishedAt: search.finishedAt?.toISOString() ?? null,
  };
}

/**
 * `epochs`: the stored rows, ordered by execution then epoch, each tagged with its execution (0..
 * executionsPerTrial-1); a continuation's start at initialEpoch + 1. `meanEpochs`: only on a trial
 * with more than one execution recorded, their mean per epoch (what its value and pruning use).
 * `targetEpochs`: resolved (the search's training.epochs unless the trial has its own).
 */
export function trialView(t: TrialWithEpochs, spec: SearchSpec): TrialView {
  const epochs = t.epochs.map(({ trialId: _, execution, ...e }) => ({ execution: execution ?? 0, ...e }));
  const multiple = epochs.some((e) => e.execution > 0);
  return {
    id: t.id,
    number: t.number,
    status: t.status,
    source: t.source,
    hyperparameters: t.hyperparameters,
    value: t.value,
    valAccuracy: t.valAccuracy,
    targetEpochs: trialEpochs(spec, t),
    initialEpoch: t.initialEpoch,
    parentTrialId: t.parentTrialId,
    bracket: t.bracket,
    rung: t.rung,
    epochs,
    ...(multiple ? { meanEpochs: meanEpochs(epochs) } : {}),
    ...(t.cancelRequestedAt ? { cancelRequested: true } : {}),
    backend: t.backend,
    modelId: t.modelId,
    error: t.error,
    attempts: t.attempts,
    createdAt: t.createdAt.toISOString(),
    startedAt: t.startedAt?.toISOString() ?? null,
    finishedAt: t.finishedAt?.toISOString() ?? null,
  };
}
