// The rules of multi-objective searches (spec.objectives, as Optuna's `directions`). The first
// objective is the primary one: spec.objective is set to it, so whatever needs a single value (the
// best trial and its model, budget.targetValue, a trial's `value`) reads it unchanged.
// Each trial's values and the front are objectives.ts's.
import { normalizeObjective } from './algorithm-settings.js';
import { defaultDirection, OBJECTIVE_METRICS, OBJECTIVE_NAMES, type NamedObjective, type ObjectiveMetric, type ObjectiveName } from './algorithms.js';
import { ValidationError } from './errors.js';
import type { Direction } from './pareto.js';

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
  // A first name that is no per-epoch metric ('params', 'latency_ms', an unknown one) is left for
  // validateObjectives to name; the primary must be a metric.
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

/** Whether each trial's run times its model's predictions (`latency_ms`): no other search pays for it. */
export const measuresLatency = (spec: { objectives?: NamedObjective[] }): boolean => spec.objectives?.some((o) => o.name === 'latency_ms') ?? false;

export const objectiveDirections = (objectives: NamedObjective[]): Direction[] => objectives.map((o) => o.direction);
