// A search request after validation: what the scheduler and the workers read back from the store.
import { defaultMaxTrials, normalizeAlgorithm, normalizeEarlyStopping, validateAlgorithm } from './algorithm-settings.js';
import type { AlgorithmSettings, EarlyStopping, NamedObjective, ObjectiveMetric, ObjectiveName } from './algorithms.js';
import { normalizeObjectives, validateObjectives } from './objective-rules.js';
import { datasetInfo, type DatasetInfo } from './datasets.js';
import { ValidationError } from './errors.js';
import { validateSpace, type HpValues, type SearchSpace } from './hyperparameters.js';
import { batchMemory, MB } from './batch-memory.js';
import { describeArchitecture, type Architecture } from './model-summary.js';
import { activeLayerIndices, resolveTemplate, templateRefs, type ModelTemplate } from './model-template.js';
import { checkTemplateConditions, cornerCombos } from './template-conditions.js';
import { validatePrecision, type Precision } from './precision.js';

export { ALGORITHMS, OBJECTIVE_METRICS, OBJECTIVE_NAMES, defaultDirection, isMultiFidelity } from './algorithms.js';
export type { AlgorithmName, AlgorithmSettings, EarlyStopping, NamedObjective, ObjectiveMetric, ObjectiveName } from './algorithms.js';

export interface SearchSpec {
  name: string;
  dataset: { id: string; limit?: number };
  /** The primary objective: the best trial and its model, targetValue, the trial's `value`. With `objectives`, their first. */
  objective: { metric: ObjectiveMetric; direction: 'max' | 'min' };
  /** Set on a multi-objective search only: 2 or 3 objectives, the first the primary. */
  objectives?: NamedObjective[];
  algorithm: AlgorithmSettings;
  earlyStopping: EarlyStopping;
  /**
   * maxRetriesPerTrial: runs after a crash (kill, lost worker) before the trial fails for good.
   * maxFailedTrials: failed trials that fail the whole search; absent means no limit.
   */
  budget: {
    maxTrials: number; maxParallelTrials: number; maxRetriesPerTrial: number; maxFailedTrials?: number;
    /** No trial starts after this many seconds from the search's creation. */
    maxDurationSeconds?: number;
    /** The search completes as soon as a trial's objective reaches it. */
    targetValue?: number;
    /** Epochs all trials together may train (each trial counts targetEpochs - initialEpoch, times its executions). */
    maxTotalEpochs?: number;
    /** Retrains (POST /searches/:id/retrain) the search grants in all, whatever became of them. */
    maxRetrains: number;
  };
  /**
   * executionsPerTrial: trainings per trial from fresh weights, their objectives averaged (Keras Tuner's executions_per_trial).
   * precision: absent means 'fp32' (src/domain/precision.ts); stored only when the request gave it.
   */
  training: { epochs: number; batchSize: number; validationSplit: number; executionsPerTrial?: number; precision?: Precision };
  hyperparameters: SearchSpace;
  model: ModelTemplate;
}

/** What a client may send: the spec with its defaults left out. */
export type SearchRequest = Omit<SearchSpec, 'algorithm' | 'budget' | 'training' | 'objective' | 'objectives' | 'earlyStopping'> & {
  objective?: Partial<SearchSpec['objective']>;
  objectives?: { name: ObjectiveName; direction?: 'max' | 'min' }[];
  algorithm?: Partial<AlgorithmSettings>;
  earlyStopping?: Partial<EarlyStopping>;
  budget?: Partial<SearchSpec['budget']>;
  training?: Partial<SearchSpec['training']>;
};

/** Operator-set ceilings (config), so one request cannot claim the whole cluster. */
export interface SearchLimits {
  maxTrialsPerSearch: number;
  maxEpochs: number;
  maxParallelTrials: number;
  maxParams: number;
  /** Estimated memory one training batch may take (activations, weights, gradients, optimizer state), in MB. */
  maxBatchMemoryMb: number;
}

export const DEFAULT_RETRIES_PER_TRIAL = 2;
export const DEFAULT_MAX_RETRAINS = 3;
const MAX_RETRIES_PER_TRIAL = 10;

/**
 * Work one search creation may spend on its corner combinations, each counted as its layers (a
 * shape check each) plus the space's hyperparameters (each combination's values are worked out
 * over the whole space): about 1-2 µs a unit. Without a budget, 100 layers over 16+ hyperparameters
 * took 13 s of one request's synchronous CPU; counted in layers only (50,000), a 100-hyperparameter
 * chain still took 150-300 ms.
 */
const MAX_CORNER_WORK = 15_000;

export function normalizeSpec(req: SearchRequest, randomSeed: () => number): SearchSpec {
  const epochs = req.training?.epochs ?? 2;
  const maxTrials = defaultMaxTrials(req, epochs);
  const optional = <T extends object>(obj: T | undefined, keys: (keyof T)[]) =>
    Object.fromEntries(keys.filter((k) => obj?.[k] !== undefined).map((k) => [k, obj![k]]));
  return {
    name: req.name,
    dataset: req.dataset,
    ...normalizeObjectives(req),
    algorithm: normalizeAlgorithm(req, epochs, maxTrials, req.algorithm?.seed ?? randomSeed()),
    earlyStopping: normalizeEarlyStopping(req),
    budget: {
      maxTrials, maxParallelTrials: req.budget?.maxParallelTrials ?? 1, maxRetriesPerTrial: req.budget?.maxRetriesPerTrial ?? DEFAULT_RETRIES_PER_TRIAL,
      maxRetrains: req.budget?.maxRetrains ?? DEFAULT_MAX_RETRAINS,
      ...optional(req.budget, ['maxFailedTrials', 'maxDurationSeconds', 'targetValue', 'maxTotalEpochs']),
    },
    training: {
      epochs, batchSize: req.training?.batchSize ?? 32, validationSplit: req.training?.validationSplit ?? 0.1,
      ...optional(req.training, ['executionsPerTrial', 'precision']),
    },
    hyperparameters: req.hyperparameters,
    model: req.model,
  };
}

/**
 * Every rule a spec must meet beyond its JSON shape; throws a ValidationError naming the field.
 * `data`: what spec.dataset.id names, looked up by the caller (uploads are in the store); undefined when unknown.
 */
export function validateSpec(spec: SearchSpec, limits: SearchLimits, data: DatasetInfo | undefined = datasetInfo(spec.dataset.id)): void {
  if (!data) throw new ValidationError('dataset.id', `unknown dataset '${spec.dataset.id}'`);
  const limit = spec.dataset.limit ?? data.trainSize;
  if (!Number.isInteger(limit) || limit < 10 || limit > data.trainSize)
    throw new ValidationError('dataset.limit', `must be an integer from 10 to ${data.trainSize}`);
  // Before maxTrials: hyperband derives its default maxTrials from these settings.
  validateAlgorithm(spec, limits);
  validateObjectives(spec);
  checkInt(spec.budget.maxTrials, 1, limits.maxTrialsPerSearch, 'budget.maxTrials');
  checkInt(spec.budget.maxParallelTrials, 1, limits.maxParallelTrials, 'budget.maxParallelTrials');
  checkInt(spec.budget.maxRetriesPerTrial, 0, MAX_RETRIES_PER_TRIAL, 'budget.maxRetriesPerTrial');
  // A retrain trains like a trial: no more of them than of trials.
  checkInt(spec.budget.maxRetrains, 0, limits.maxTrialsPerSearch, 'budget.maxRetrains');
  if (spec.budget.maxFailedTrials !== undefined) checkInt(spec.budget.maxFailedTrials, 1, limits.maxTrialsPerSearch, 'budget.maxFailedTrials');
  checkInt(spec.training.epochs, 1, limits.maxEpochs, 'training.epochs');
  checkInt(spec.training.batchSize, 1, 4096, 'training.batchSize');
  const split = spec.training.validationSplit;
  if (!(split > 0 && split < 1)) throw new ValidationError('training.validationSplit', 'must be between 0 and 1 (exclusive)');
  if (Math.floor(limit * (1 - split)) < 1 || limit - Math.floor(limit * (1 - split)) < 1)
    throw new ValidationError('training.validationSplit', `leaves no training or no validation images out of ${limit}`);
  validatePrecision(spec);
  if (!Number.isSafeInteger(spec.algorithm.seed)) throw new ValidationError('algorithm.seed', 'must be a safe integer');
  if (spec.algorithm.initialRandomTrials !== undefined) {
    if (spec.algorithm.name !== 'bayesian' && spec.algorithm.sampler !== 'tpe')
      throw new ValidationError('algorithm.initialRandomTrials', "applies to 'bayesian' and to a 'tpe' sampler only");
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
  checkTemplateConditions(spec.hyperparameters, model, refs);
  const used = [...new Set(refs.map((r) => r.name))];
  const budget = Math.max(2, Math.floor(MAX_CORNER_WORK / (model.layers.length + spec.hyperparameters.length)));
  // Only valid combinations: a conditional hyperparameter has a value only where it is active.
  const refAt = new Map(refs.map((r) => [r.path, r.name]));
  for (const values of cornerCombos(spec.hyperparameters, model, used, budget)) {
    // Said only when a shape fails: building it for every combination cost as much as the check.
    const why = (path: string) => { const name = refAt.get(path); return name === undefined ? undefined : `${name}=${JSON.stringify(values[name])}`; };
    const layers = activeLayerIndices(model, values); // error paths name the template's layers
    if (layers.length === 0) throw new ValidationError('model.layers', `no layer exists when ${Object.entries(values).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}`);
    const arch = describeArchitecture(resolveTemplate(model, values), why, layers);
    checkArchitecture(arch, data, limits, layers[layers.length - 1]);
    checkBatchMemory(arch, spec.training.batchSize, limits.maxBatchMemoryMb, layers, values);
  }
}

function checkArchitecture(arch: Architecture, data: DatasetInfo, limits: SearchLimits, lastIndex: number): void {
  const last = arch.layers.length - 1;
  const out = arch.layers[last].outputShape;
  if (out.length !== 2 || out[1] !== data.numClasses)
    throw new ValidationError(`model.layers[${lastIndex}]`, `must output ${data.numClasses} classes (shape [null, ${data.numClasses}]), got [${out.join(', ')}]`);
  if (arch.layers[last].type !== 'dense') throw new ValidationError(`model.layers[${lastIndex}].type`, "the last layer must be 'dense'");
  if (arch.totalParams > limits.maxParams)
    throw new ValidationError('model', `has ${arch.totalParams} parameters, more than the limit of ${limits.maxParams}`);
}

/**
 * Like the parameter cap, at the same corner combinations: a batch whose activations cannot fit
 * would only fail later, in a worker, out of memory. `layers`: each layer's template index.
 */
function checkBatchMemory(arch: Architecture, batchSize: number, limitMb: number, layers: number[], values: HpValues): void {
  const need = batchMemory(arch, batchSize);
  if (need.bytes <= limitMb * MB) return;
  const fits = Math.floor((limitMb * MB - need.fixedBytes) / need.perExampleBytes);
  const largest = arch.layers[need.largestLayer];
  const given = Object.entries(values).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
  const mb = (bytes: number) => Math.ceil(bytes / MB).toLocaleString('en-US');
  const why = `the model needs about ${mb(need.bytes)} MB per training batch of ${batchSize}${given ? ` with ${given}` : ''}`
    + ` (model.layers[${layers[need.largestLayer]}] outputs [${largest.outputShape.slice(1).join(', ')}] per image),`
    + ` more than the limit of ${limitMb.toLocaleString('en-US')} MB (MAX_BATCH_MEMORY_MB)`;
  // A smaller batch fits: the batch size is the field to change; otherwise the model itself.
  if (fits >= 1) throw new ValidationError('training.batchSize', `${why}: at most ${fits} fits`);
  throw new ValidationError('model', `${why}, even at a batch of 1`);
}
