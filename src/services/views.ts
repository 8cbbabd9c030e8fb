// What the API shows of searches and trials (SearchView, TrialView: the response schemas' types),
// derived from store records, never stored twice.
import { meanEpochs } from '../domain/objective.js';
import { isMultiObjective, paretoFront, trialObjectiveValues } from '../domain/objectives.js';
import { trialEpochs } from '../domain/schedule.js';
import type { SearchSpec } from '../domain/search-spec.js';
import { TRIAL_STATUSES } from '../domain/trial-state.js';
import type { SearchRecord, SearchSummaryRecord, TrialRecord, TrialWithEpochs } from '../ports/search-store.js';
import type { SearchSummaryView, SearchView, TrialView } from '../schemas/search-schemas.js';

function trialCounts(perStatus: SearchSummaryRecord['trialCounts']): SearchView['trials'] {
  const counts = Object.fromEntries(TRIAL_STATUSES.map((s) => [s, perStatus[s] ?? 0])) as SearchView['trials'];
  counts.total = TRIAL_STATUSES.reduce((sum, s) => sum + counts[s], 0);
  return counts;
}

/**
 * `trials`: with their epochs on a multi-objective search, whose view then has its Pareto front
 * (searched trials that completed; retrains compete with nothing, as for the best trial).
 */
export function searchView(search: SearchRecord, trials: (TrialRecord | TrialWithEpochs)[]): SearchView {
  const perStatus: SearchSummaryRecord['trialCounts'] = {};
  for (const t of trials) perStatus[t.status] = (perStatus[t.status] ?? 0) + 1;
  const counts = trialCounts(perStatus);
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
    ...frontOf(search.spec, trials),
    createdAt: search.createdAt.toISOString(),
    finishedAt: search.finishedAt?.toISOString() ?? null,
  };
}

function frontOf(spec: SearchSpec, trials: (TrialRecord | TrialWithEpochs)[]): Pick<SearchView, 'paretoFront'> {
  // search-events builds its summary without a spec (null): no front there.
  if (!spec || !isMultiObjective(spec)) return {};
  const scored = trials.filter((t): t is TrialWithEpochs => t.status === 'completed' && t.source !== 'retrain' && 'epochs' in t)
    .map((t) => ({ id: t.id, values: trialObjectiveValues(spec, t, t.epochs) }));
  return { paretoFront: paretoFront(spec.objectives, scored) };
}

/** A multi-objective search's completed trial: its values by objective name. */
function objectiveValuesOf(spec: SearchSpec, t: TrialWithEpochs): Pick<TrialView, 'objectiveValues'> {
  if (!isMultiObjective(spec) || t.status !== 'completed') return {};
  const values = trialObjectiveValues(spec, t, t.epochs);
  return values ? { objectiveValues: Object.fromEntries(spec.objectives.map((o, k) => [o.name, values[k]])) } : {};
}

/** A search as GET /searches lists it: no spec. */
export function searchSummaryView(s: SearchSummaryRecord): SearchSummaryView {
  const best = s.bestTrial;
  return {
    id: s.id,
    name: s.name,
    status: s.status,
    algorithm: s.algorithm,
    datasetId: s.datasetId,
    objective: s.objective,
    maxTrials: s.maxTrials,
    trials: trialCounts(s.trialCounts),
    bestTrial: best ? { id: best.id, number: best.number, hyperparameters: best.hyperparameters, valAccuracy: best.valAccuracy, value: best.value } : null,
    bestModelId: s.bestModelId,
    error: s.error,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    finishedAt: s.finishedAt?.toISOString() ?? null,
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
    ...objectiveValuesOf(spec, t),
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
