// Multi-objective searches (spec.objectives, as Optuna's `directions`): their rules, each trial's
// value per objective, and the search's Pareto front. The first objective is the primary one:
// spec.objective is set to it, so whatever needs a single value (the best trial and its model,
// budget.targetValue, a trial's `value`) reads it unchanged.
import { normalizeObjective } from './algorithm-settings.js';
import { defaultDirection, OBJECTIVE_METRICS, OBJECTIVE_NAMES, type NamedObjective, type ObjectiveMetric, type ObjectiveName } from './algorithms.js';
import { ValidationError } from './errors.js';
import type { HpValues } from './hyperparameters.js';
import { describeArchitecture } from './model-summary.js';
import { resolveTemplate, type ModelTemplate } from './model-template.js';
import { bestEpoch, meanEpochs, metricValue } from './objective.js';
import { paretoFrontIndices, type Direction } from './pareto.js';
import type { EpochMetrics } from './training-port.js';

export const MIN_OBJECTIVES = 2;
export const MAX_OBJECTIVES = 3;

interface RequestParts {
  objective?: { metric?: ObjectiveMetric; direction?: 'max' | 'min' };
  objectives?: { name: ObjectiveName; direction?: 'max' | 'min' }[];
}
interface SpecParts {
  objective: { metric: ObjectiveMetric; direction: 'max' | 'min' };
  objectives?: NamedObjective[];
  algorithm: { name: string };
  earlyStopping: { name: string };
}

/** The primary objective, and the list when the request gives one; both at once is refused. */
export function normalizeObjectives(req: RequestParts): Pick<SpecParts, 'objective' | 'objectives'> {
  if (req.objectives === undefined) return { objective: normalizeObjective(req) };
  if (req.objective !== undefined) throw new ValidationError('objectives', 'give either objective (one) or objectives (several), not both');
  const objectives = req.objectives.map((o) => ({ name: o.name, direction: o.direction ?? defaultDirection(o.name) }));
  // An unknown or 'params' first name is left for validateObjectives to name; the primary must be a metric.
  const first = objectives[0];
  const metric = (OBJECTIVE_METRICS as readonly string[]).includes(first?.name) ? first.name as ObjectiveMetric : 'val_accuracy';
  return { objective: { metric, direction: first?.direction ?? defaultDirection(metric) }, objectives };
}

/** Rules for spec.objectives; throws a ValidationError naming the field. */
export function validateObjectives(spec: SpecParts): void {
  const list = spec.objectives;
  if (list === undefined) return;
  if (list.length < MIN_OBJECTIVES || list.length > MAX_OBJECTIVES)
    throw new ValidationError('objectives', `must list ${MIN_OBJECTIVES} to ${MAX_OBJECTIVES} objectives (one objective: use objective)`);
  list.forEach((o, i) => {
    if (!OBJECTIVE_NAMES.includes(o.name)) throw new ValidationError(`objectives[${i}].name`, `must be one of ${OBJECTIVE_NAMES.join(', ')}`);
    if (o.direction !== 'max' && o.direction !== 'min') throw new ValidationError(`objectives[${i}].direction`, "must be 'max' or 'min'");
    if (list.findIndex((p) => p.name === o.name) < i) throw new ValidationError(`objectives[${i}].name`, `repeats '${o.name}'`);
  });
  if (!(OBJECTIVE_METRICS as readonly string[]).includes(list[0].name))
    throw new ValidationError('objectives[0].name', `the first (primary) objective picks each trial's best epoch and model: it must be a per-epoch metric, one of ${OBJECTIVE_METRICS.join(', ')}`);
  // As Optuna's pruners, which reject multi-objective studies: a single ranking would ignore the other objectives.
  if (spec.algorithm.name === 'hyperband' || spec.algorithm.name === 'asha')
    throw new ValidationError('algorithm.name', `'${spec.algorithm.name}' promotes trials by one objective: a search with several objectives takes random, grid or bayesian`);
  if (spec.earlyStopping.name === 'median')
    throw new ValidationError('earlyStopping.name', "median stopping compares one objective: a search with several objectives takes 'none'");
}

export const isMultiObjective = (spec: { objectives?: NamedObjective[] }): spec is { objectives: NamedObjective[] } => (spec.objectives?.length ?? 0) > 1;

export const objectiveDirections = (objectives: NamedObjective[]): Direction[] => objectives.map((o) => o.direction);

/** What trialObjectiveValues reads of a spec. */
interface ValueSpec { objective: { metric: ObjectiveMetric; direction: 'max' | 'min' }; objectives?: NamedObjective[]; model: ModelTemplate }

/**
 * A trial's value per objective, in spec.objectives' order: each metric at the epoch where the
 * primary objective was best (the epoch whose weights the trial keeps as its model), over the mean
 * of its executions' epochs; `params` is the model's parameter count for its hyperparameters.
 * Null without epochs or with a value that is not a number.
 */
export function trialObjectiveValues(spec: ValueSpec, hyperparameters: HpValues, epochs: (EpochMetrics & { execution?: number })[]): number[] | null {
  const best = bestEpoch(meanEpochs(epochs), spec.objective.metric, spec.objective.direction);
  if (!best) return null;
  const values = (spec.objectives ?? []).map((o) => (o.name === 'params' ? modelParams(spec.model, hyperparameters) : metricValue(best, o.name)));
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
