// Defaults and rules for what a search asks of its algorithm beyond the search space: multi-fidelity
// settings (hyperband, asha), early stopping, the objective, and the budget fields they bring.
import { ValidationError } from './errors.js';
import { hyperbandConfigCount } from './hyperband-brackets.js';
import { BRACKET_SIZINGS, defaultDirection, isMultiFidelity, OBJECTIVE_METRICS, OBJECTIVE_NAMES, SAMPLERS, type AlgorithmSettings, type EarlyStopping, type ObjectiveMetric } from './algorithms.js';

/** What these rules read of a search request (structural, so search-spec.ts can call them without a cycle). */
interface RequestParts {
  objective?: { metric?: ObjectiveMetric; direction?: 'max' | 'min' };
  algorithm?: Partial<AlgorithmSettings>;
  earlyStopping?: Partial<EarlyStopping>;
  budget?: { maxTrials?: number };
}
interface SpecParts {
  objective: { metric: ObjectiveMetric; direction: 'max' | 'min' };
  algorithm: AlgorithmSettings;
  earlyStopping: EarlyStopping;
  training: { executionsPerTrial?: number };
  budget: { maxDurationSeconds?: number; maxTotalEpochs?: number; targetValue?: number };
}
interface Limits { maxEpochs: number; maxTrialsPerSearch: number }

const MAX_EXECUTIONS = 10;
const MAX_FACTOR = 10;
const MAX_ITERATIONS = 20;
const MAX_DURATION_SECONDS = 30 * 24 * 3600;

/** The algorithm's settings with its defaults filled in, only those that apply to it. */
export function normalizeAlgorithm(req: RequestParts, epochs: number, maxTrials: number, seed: number): AlgorithmSettings {
  const a = req.algorithm ?? {};
  const name = a.name ?? 'random';
  const given = (key: keyof AlgorithmSettings) => (a[key] !== undefined ? { [key]: a[key] } : {});
  // Keras Tuner starts Bayesian optimization from a few random points; a quarter of the budget, 3 to 10.
  // hyperband and asha sample with TPE unless asked for Keras Tuner's random sampling (the replay
  // in bench/RESULTS.md: asha reached random search's best in 49 epochs instead of 77).
  const sampler = isMultiFidelity(name) ? { sampler: a.sampler ?? 'tpe' } : given('sampler');
  const modelled = name === 'bayesian' || sampler.sampler === 'tpe';
  const initialRandomTrials = modelled || a.initialRandomTrials !== undefined
    ? { initialRandomTrials: a.initialRandomTrials ?? Math.min(10, Math.max(3, Math.ceil(maxTrials / 4))) }
    : {};
  const common = { name, seed, ...sampler, ...initialRandomTrials, ...given('factor'), ...given('hyperbandIterations'), ...given('brackets'), ...given('minEpochs'), ...given('reductionFactor') };
  if (name === 'hyperband') return { ...common, maxEpochs: a.maxEpochs ?? epochs, factor: a.factor ?? 3, hyperbandIterations: a.hyperbandIterations ?? 1 };
  if (name === 'asha') return { ...common, maxEpochs: a.maxEpochs ?? epochs, minEpochs: a.minEpochs ?? 1, reductionFactor: a.reductionFactor ?? 3 };
  return { ...common, ...given('maxEpochs') };
}

/**
 * budget.maxTrials when the request sets none. For hyperband and asha it counts configurations
 * (promotions continue one); hyperband's brackets decide it, as in Keras Tuner.
 */
export function defaultMaxTrials(req: RequestParts, epochs: number): number {
  if (req.budget?.maxTrials !== undefined) return req.budget.maxTrials;
  const a = req.algorithm ?? {};
  if (a.name === 'hyperband') {
    const maxEpochs = a.maxEpochs ?? epochs;
    const factor = a.factor ?? 3;
    const iterations = a.hyperbandIterations ?? 1;
    // Settings out of range get a plain default here, so validateAlgorithm names them, not budget.maxTrials.
    const valid = (v: number, max: number, min: number) => Number.isInteger(v) && v >= min && v <= max;
    if (valid(maxEpochs, Infinity, 1) && valid(factor, MAX_FACTOR, 2) && valid(iterations, MAX_ITERATIONS, 1))
      return hyperbandConfigCount(maxEpochs, factor, iterations, a.brackets);
  }
  return 10;
}

export function normalizeEarlyStopping(req: RequestParts): EarlyStopping {
  const e = req.earlyStopping ?? {};
  return { name: e.name ?? 'none', startEpoch: e.startEpoch ?? 1, minTrials: e.minTrials ?? 3 };
}

export function normalizeObjective(req: RequestParts): SpecParts['objective'] {
  const metric = req.objective?.metric ?? 'val_accuracy';
  return { metric, direction: req.objective?.direction ?? defaultDirection(metric) };
}

/** Rules for the fields above; throws a ValidationError naming the field. */
export function validateAlgorithm(spec: SpecParts, limits: Limits): void {
  const { algorithm: a, training, budget } = spec;
  if (!OBJECTIVE_METRICS.includes(spec.objective.metric)) {
    // 'params' and 'latency_ms' are no per-epoch metric: they cannot pick a trial's best epoch alone.
    const hint = (OBJECTIVE_NAMES as readonly string[]).includes(spec.objective.metric)
      ? ` ('${spec.objective.metric}' is offered in objectives only, after a per-epoch metric)` : '';
    throw new ValidationError('objective.metric', `must be one of ${OBJECTIVE_METRICS.join(', ')}${hint}`);
  }
  const only = (key: keyof AlgorithmSettings, names: string[]) => {
    if (a[key] !== undefined && !names.includes(a.name)) throw new ValidationError(`algorithm.${key}`, `applies to ${names.map((n) => `'${n}'`).join(' and ')} only`);
  };
  only('maxEpochs', ['hyperband', 'asha']);
  only('factor', ['hyperband']);
  only('hyperbandIterations', ['hyperband']);
  only('brackets', ['hyperband']);
  only('minEpochs', ['asha']);
  only('reductionFactor', ['asha']);
  only('sampler', ['hyperband', 'asha']);
  if (a.brackets !== undefined && !BRACKET_SIZINGS.includes(a.brackets)) throw new ValidationError('algorithm.brackets', `must be one of ${BRACKET_SIZINGS.join(', ')}`);
  if (a.sampler !== undefined && !SAMPLERS.includes(a.sampler)) throw new ValidationError('algorithm.sampler', `must be one of ${SAMPLERS.join(', ')}`);
  if (isMultiFidelity(a.name)) {
    checkInt(a.maxEpochs!, 1, limits.maxEpochs, 'algorithm.maxEpochs');
    // training.epochs is what a non-promoted trial would train; for these algorithms maxEpochs rules.
    if (a.name === 'hyperband') {
      checkInt(a.factor!, 2, MAX_FACTOR, 'algorithm.factor');
      checkInt(a.hyperbandIterations!, 1, MAX_ITERATIONS, 'algorithm.hyperbandIterations');
    } else {
      checkInt(a.minEpochs!, 1, a.maxEpochs!, 'algorithm.minEpochs');
      checkInt(a.reductionFactor!, 2, MAX_FACTOR, 'algorithm.reductionFactor');
    }
  }
  const stop = spec.earlyStopping;
  if (stop.name !== 'median' && stop.name !== 'none') throw new ValidationError('earlyStopping.name', "must be 'median' or 'none'");
  checkInt(stop.startEpoch, 1, limits.maxEpochs, 'earlyStopping.startEpoch');
  checkInt(stop.minTrials, 1, limits.maxTrialsPerSearch, 'earlyStopping.minTrials');
  if (training.executionsPerTrial !== undefined) checkInt(training.executionsPerTrial, 1, MAX_EXECUTIONS, 'training.executionsPerTrial');
  if (budget.maxDurationSeconds !== undefined) checkInt(budget.maxDurationSeconds, 1, MAX_DURATION_SECONDS, 'budget.maxDurationSeconds');
  if (budget.maxTotalEpochs !== undefined) checkInt(budget.maxTotalEpochs, 1, limits.maxTrialsPerSearch * limits.maxEpochs, 'budget.maxTotalEpochs');
  if (budget.targetValue !== undefined && !Number.isFinite(budget.targetValue)) throw new ValidationError('budget.targetValue', 'must be a finite number');
}

export function checkInt(v: number, min: number, max: number, field: string): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new ValidationError(field, `must be an integer from ${min} to ${max}`);
}
