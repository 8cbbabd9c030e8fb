// A search request after validation: what the scheduler and the workers read back from the store.
import { datasetInfo, type DatasetInfo } from './datasets.js';
import { ValidationError } from './errors.js';
import { discreteAt, discreteCount, discreteValues, validateSpace, type HpValue, type HpValues, type SearchSpace } from './hyperparameters.js';
import { describeArchitecture, type Architecture } from './model-summary.js';
import { resolveTemplate, templateRefs, type ModelTemplate } from './model-template.js';

export const ALGORITHMS = ['random', 'grid', 'bayesian'] as const;
export type AlgorithmName = (typeof ALGORITHMS)[number];

export interface SearchSpec {
  name: string;
  dataset: { id: string; limit?: number };
  objective: { metric: 'val_accuracy'; direction: 'max' | 'min' };
  /** initialRandomTrials: random trials before bayesian starts modelling (bayesian only). */
  algorithm: { name: AlgorithmName; seed: number; initialRandomTrials?: number };
  /**
   * maxRetriesPerTrial: runs after a crash (kill, lost worker) before the trial fails for good.
   * maxFailedTrials: failed trials that fail the whole search; absent means no limit.
   * Both are optional here because searches stored before they existed lack them.
   */
  budget: { maxTrials: number; maxParallelTrials: number; maxRetriesPerTrial?: number; maxFailedTrials?: number };
  training: { epochs: number; batchSize: number; validationSplit: number };
  hyperparameters: SearchSpace;
  model: ModelTemplate;
}

/** What a client may send: the spec with its defaults left out. */
export type SearchRequest = Omit<SearchSpec, 'algorithm' | 'budget' | 'training' | 'objective'> & {
  objective?: Partial<SearchSpec['objective']>;
  algorithm?: { name?: AlgorithmName; seed?: number; initialRandomTrials?: number };
  budget?: Partial<SearchSpec['budget']>;
  training?: Partial<SearchSpec['training']>;
};

/** Operator-set ceilings (config), so one request cannot claim the whole cluster. */
export interface SearchLimits {
  maxTrialsPerSearch: number;
  maxEpochs: number;
  maxParallelTrials: number;
  maxParams: number;
}

export const DEFAULT_RETRIES_PER_TRIAL = 2;
const MAX_RETRIES_PER_TRIAL = 10;

/** Runs a trial of this search gets (first + retries); undefined for searches stored before the field (the queue's default, TRIAL_ATTEMPTS). */
export function attemptsPerTrial(spec: SearchSpec): number | undefined {
  return spec.budget.maxRetriesPerTrial === undefined ? undefined : spec.budget.maxRetriesPerTrial + 1;
}

/** Above this many corner combinations the template is checked at each hyperparameter's extremes only. */
const MAX_CORNER_COMBOS = 512;
/**
 * Layer shape checks one search creation may spend on its corners (about 2 µs each). Without a
 * budget, 100 layers over 16+ hyperparameters took 13 s of one request's synchronous CPU.
 */
const MAX_LAYER_CHECKS = 50_000;

export function normalizeSpec(req: SearchRequest, randomSeed: () => number): SearchSpec {
  const name = req.algorithm?.name ?? 'random';
  const maxTrials = req.budget?.maxTrials ?? 10;
  // Keras Tuner starts Bayesian optimization from a few random points; a quarter of the budget, 3 to 10.
  const given = req.algorithm?.initialRandomTrials;
  const initialRandomTrials = name === 'bayesian' || given !== undefined
    ? { initialRandomTrials: given ?? Math.min(10, Math.max(3, Math.ceil(maxTrials / 4))) }
    : {};
  return {
    name: req.name,
    dataset: req.dataset,
    objective: { metric: req.objective?.metric ?? 'val_accuracy', direction: req.objective?.direction ?? 'max' },
    algorithm: { name, seed: req.algorithm?.seed ?? randomSeed(), ...initialRandomTrials },
    budget: {
      maxTrials, maxParallelTrials: req.budget?.maxParallelTrials ?? 1, maxRetriesPerTrial: req.budget?.maxRetriesPerTrial ?? DEFAULT_RETRIES_PER_TRIAL,
      ...(req.budget?.maxFailedTrials !== undefined ? { maxFailedTrials: req.budget.maxFailedTrials } : {}),
    },
    training: { epochs: req.training?.epochs ?? 2, batchSize: req.training?.batchSize ?? 32, validationSplit: req.training?.validationSplit ?? 0.1 },
    hyperparameters: req.hyperparameters,
    model: req.model,
  };
}

/** Every rule a spec must meet beyond its JSON shape; throws a ValidationError naming the field. */
export function validateSpec(spec: SearchSpec, limits: SearchLimits): void {
  const data = datasetInfo(spec.dataset.id);
  if (!data) throw new ValidationError('dataset.id', `unknown dataset '${spec.dataset.id}'`);
  const limit = spec.dataset.limit ?? data.trainSize;
  if (!Number.isInteger(limit) || limit < 10 || limit > data.trainSize)
    throw new ValidationError('dataset.limit', `must be an integer from 10 to ${data.trainSize}`);
  if (spec.objective.metric !== 'val_accuracy') throw new ValidationError('objective.metric', "only 'val_accuracy' is supported");
  checkInt(spec.budget.maxTrials, 1, limits.maxTrialsPerSearch, 'budget.maxTrials');
  checkInt(spec.budget.maxParallelTrials, 1, limits.maxParallelTrials, 'budget.maxParallelTrials');
  if (spec.budget.maxRetriesPerTrial !== undefined) checkInt(spec.budget.maxRetriesPerTrial, 0, MAX_RETRIES_PER_TRIAL, 'budget.maxRetriesPerTrial');
  if (spec.budget.maxFailedTrials !== undefined) checkInt(spec.budget.maxFailedTrials, 1, limits.maxTrialsPerSearch, 'budget.maxFailedTrials');
  checkInt(spec.training.epochs, 1, limits.maxEpochs, 'training.epochs');
  checkInt(spec.training.batchSize, 1, 4096, 'training.batchSize');
  const split = spec.training.validationSplit;
  if (!(split > 0 && split < 1)) throw new ValidationError('training.validationSplit', 'must be between 0 and 1 (exclusive)');
  if (Math.floor(limit * (1 - split)) < 1 || limit - Math.floor(limit * (1 - split)) < 1)
    throw new ValidationError('training.validationSplit', `leaves no training or no validation images out of ${limit}`);
  if (!Number.isSafeInteger(spec.algorithm.seed)) throw new ValidationError('algorithm.seed', 'must be a safe integer');
  if (spec.algorithm.initialRandomTrials !== undefined) {
    if (spec.algorithm.name !== 'bayesian') throw new ValidationError('algorithm.initialRandomTrials', "applies to 'bayesian' only");
    checkInt(spec.algorithm.initialRandomTrials, 1, limits.maxTrialsPerSearch, 'algorithm.initialRandomTrials');
  }
  validateSpace(spec.hyperparameters);
  validateTemplate(spec, data, limits);
}

function checkInt(v: number, min: number, max: number, field: string): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new ValidationError(field, `must be an integer from ${min} to ${max}`);
}

function validateTemplate(spec: SearchSpec, data: DatasetInfo, limits: SearchLimits): void {
  const { model } = spec;
  if (model.inputShape.join(',') !== data.inputShape.join(','))
    throw new ValidationError('model.inputShape', `must be [${data.inputShape.join(', ')}] for dataset '${data.id}'`);
  if (model.layers.length === 0) throw new ValidationError('model.layers', 'must have at least one layer');
  const space = new Map(spec.hyperparameters.map((hp) => [hp.name, hp]));
  const refs = templateRefs(model);
  for (const ref of refs)
    if (!space.has(ref.name)) throw new ValidationError(ref.path, `refers to unknown hyperparameter '${ref.name}'`);
  const used = [...new Set(refs.map((r) => r.name))];
  const budget = Math.max(2, Math.floor(MAX_LAYER_CHECKS / model.layers.length));
  for (const values of cornerCombos(used.map((n) => [n, corners(space.get(n)!)]), budget)) {
    const why = Object.fromEntries(refs.map((r) => [r.path, `${r.name}=${JSON.stringify(values[r.name])}`]));
    checkArchitecture(describeArchitecture(resolveTemplate(model, values), why), data, limits);
  }
}

function checkArchitecture(arch: Architecture, data: DatasetInfo, limits: SearchLimits): void {
  const last = arch.layers.length - 1;
  const out = arch.layers[last].outputShape;
  if (out.length !== 2 || out[1] !== data.numClasses)
    throw new ValidationError(`model.layers[${last}]`, `must output ${data.numClasses} classes (shape [null, ${data.numClasses}]), got [${out.join(', ')}]`);
  if (arch.layers[last].type !== 'dense') throw new ValidationError(`model.layers[${last}].type`, "the last layer must be 'dense'");
  if (arch.totalParams > limits.maxParams)
    throw new ValidationError('model', `has ${arch.totalParams} parameters, more than the limit of ${limits.maxParams}`);
}

/** The values most likely to break a shape: every discrete value when few, else the two extremes. */
function corners(hp: SearchSpace[number]): HpValue[] {
  const n = discreteCount(hp); // counted, not listed: a range may hold 100,000 values
  if (n !== null && n <= 8) return discreteValues(hp)!;
  if (hp.type === 'int' || hp.type === 'float') return [hp.min, hp.max];
  return n !== null ? [discreteAt(hp, 0), discreteAt(hp, n - 1)] : [];
}

/** At most `limit` combinations; past it, all-last values first, since counting from 0 starts at all-first. */
function* cornerCombos(axes: [string, HpValue[]][], limit: number): Generator<HpValues> {
  const total = axes.reduce((n, [, v]) => n * v.length, 1);
  const reduced = total > MAX_CORNER_COMBOS
    ? axes.map(([n, v]) => [n, v.length > 2 ? [v[0], v[v.length - 1]] : v] as [string, HpValue[]])
    : axes;
  const all = reduced.reduce((n, [, v]) => n * v.length, 1);
  if (all > limit) yield Object.fromEntries(reduced.map(([name, vs]) => [name, vs[vs.length - 1]]));
  const count = Math.min(all, limit);
  for (let i = 0; i < count; i++) {
    let k = i;
    const values: HpValues = {};
    for (const [name, vs] of reduced) {
      values[name] = vs[k % vs.length];
      k = Math.floor(k / vs.length);
    }
    yield values;
  }
}
