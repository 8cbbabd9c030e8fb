// Multi-objective searches: each trial's value per objective, and the search's Pareto front.
import type { NamedObjective, ObjectiveMetric } from './algorithms.js';
import type { HpValues } from './hyperparameters.js';
import { describeArchitecture } from './model-summary.js';
import { resolveTemplate, type ModelTemplate } from './model-template.js';
import { bestEpoch, meanEpochs, metricValue } from './objective.js';
import { objectiveDirections } from './objective-rules.js';
import { paretoFrontIndices } from './pareto.js';
import type { EpochMetrics } from './training-port.js';

export { isMultiObjective, measuresLatency } from './objective-rules.js';

/** What trialObjectiveValues reads of a spec. */
interface ValueSpec { objective: { metric: ObjectiveMetric; direction: 'max' | 'min' }; objectives?: NamedObjective[]; model: ModelTemplate }

/** What trialObjectiveValues reads of a trial beside its epochs; `latencyMs`: absent or null when never measured. */
export interface ValueTrial { hyperparameters: HpValues; latencyMs?: number | null }

/**
 * A trial's value per objective, in spec.objectives' order: each metric at the epoch where the
 * primary objective was best (the epoch whose weights the trial keeps as its model), over the mean
 * of its executions' epochs; `params` is the model's parameter count for its hyperparameters;
 * `latency_ms` the prediction latency its run measured on that model. Null without epochs or with
 * a value that is not a number (a latency never measured: an older trial, a failed measurement).
 */
export function trialObjectiveValues(spec: ValueSpec, trial: ValueTrial, epochs: (EpochMetrics & { execution?: number })[]): number[] | null {
  const best = bestEpoch(meanEpochs(epochs), spec.objective.metric, spec.objective.direction);
  if (!best) return null;
  const values = (spec.objectives ?? []).map((o) => {
    if (o.name === 'params') return modelParams(spec.model, trial.hyperparameters);
    if (o.name === 'latency_ms') return trial.latencyMs ?? NaN;
    return metricValue(best, o.name);
  });
  return values.every(Number.isFinite) ? values : null;
}

function modelParams(model: ModelTemplate, hyperparameters: HpValues): number {
  try {
    return describeArchitecture(resolveTemplate(model, hyperparameters)).totalParams;
  } catch {
    return NaN; // validated at creation; a stored search of an older shape is left out of the front
  }
}

export interface FrontPoint { trialId: string; values: Record<string, number> }

/** The non-dominated trials among those with values, in the order given. */
export function paretoFront(objectives: NamedObjective[], trials: { id: string; values: number[] | null }[]): FrontPoint[] {
  const scored = trials.filter((t): t is { id: string; values: number[] } => t.values !== null);
  return paretoFrontIndices(scored.map((t) => t.values), objectiveDirections(objectives)).map((i) => ({
    trialId: scored[i].id, values: Object.fromEntries(objectives.map((o, k) => [o.name, scored[i].values[k]])),
  }));
}
