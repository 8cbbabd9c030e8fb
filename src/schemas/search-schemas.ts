// The POST /searches contract: JSON shape only. Rules that need more than a shape (min <= max,
// known hyperparameters, layer shapes that fit) are the domain's (src/domain/search-spec.ts).
import { Type, type Static } from 'typebox';
import { ALGORITHMS, BRACKET_SIZINGS, OBJECTIVE_METRICS, OBJECTIVE_NAMES, SAMPLERS } from '../domain/algorithms.js';
import type { Activation as ActivationName } from '../domain/model-template.js';
import { PRECISIONS } from '../domain/precision.js';
import { TRIAL_STATUSES } from '../domain/trial-state.js';
import type { SearchRequest } from '../domain/search-spec.js';
import { ErrorBody, HpValue, HpValues, IdParams, Name, NextCursor, PageQuery, taggedUnion, type Assert, type SameShape } from './common.js';
import { NOTEBOOK_SEARCH } from './search-example.js';

const strict = { additionalProperties: false } as const;
const Ref = Type.Object({ hp: Type.String({ minLength: 1, maxLength: 64 }) }, strict);
const P = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Ref]);
const Int = Type.Integer();
const Padding = Type.Union([Type.Literal('valid'), Type.Literal('same')]);
// Any short string: the domain names the activations it knows (validateSpec), so its message lists them.
const Activation = Type.Unsafe<ActivationName>(Type.String({ maxLength: 32 }));

const Sampling = Type.Union([Type.Literal('linear'), Type.Literal('log')]);
/** One of a list of strings; `type` too, so the serializer and OpenAPI know it is a string. */
const Literals = <T extends string[]>(values: readonly [...T], options: { description?: string } = {}) => Type.Enum(values, { type: 'string', ...options });
// Keras Tuner's conditional_scope(parent_name, parent_values).
const When = Type.Optional(Type.Object({
  hp: Type.String({ minLength: 1, maxLength: 64, description: 'a discrete hyperparameter (for a hyperparameter: one listed before it)' }),
  in: Type.Array(HpValue, { minItems: 1, maxItems: 1000, description: 'the values of `hp` for which this exists' }),
}, { ...strict, description: 'exists only when `hp` takes one of the values `in`; otherwise it is absent (a hyperparameter gets no value, a layer is left out)' }));
const Hyperparameter = taggedUnion([
  Type.Object({ name: Type.String(), type: Type.Literal('int'), min: Int, max: Int, step: Type.Optional(Int), sampling: Type.Optional(Sampling), when: When }, strict),
  Type.Object({ name: Type.String(), type: Type.Literal('float'), min: Type.Number(), max: Type.Number(), step: Type.Optional(Type.Number()), sampling: Type.Optional(Sampling), when: When }, strict),
  Type.Object({ name: Type.String(), type: Type.Literal('choice'), values: Type.Array(HpValue, { minItems: 1, maxItems: 1000 }), when: When }, strict),
  Type.Object({ name: Type.String(), type: Type.Literal('boolean'), when: When }, strict),
  Type.Object({ name: Type.String(), type: Type.Literal('fixed'), value: HpValue, when: When }, strict),
]);

const Layer = taggedUnion([
  Type.Object({
    type: Type.Literal('conv2d'), filters: P(Int), kernelSize: P(Int), strides: Type.Optional(P(Int)),
    padding: Type.Optional(P(Padding)), activation: Type.Optional(P(Activation)), when: When,
  }, strict),
  Type.Object({ type: Type.Literal('maxPooling2d'), poolSize: Type.Optional(P(Int)), strides: Type.Optional(P(Int)), padding: Type.Optional(P(Padding)), when: When }, strict),
  Type.Object({ type: Type.Literal('averagePooling2d'), poolSize: Type.Optional(P(Int)), strides: Type.Optional(P(Int)), padding: Type.Optional(P(Padding)), when: When }, strict),
  Type.Object({ type: Type.Literal('flatten'), when: When }, strict),
  Type.Object({ type: Type.Literal('dense'), units: P(Int), activation: Type.Optional(P(Activation)), when: When }, strict),
  Type.Object({ type: Type.Literal('dropout'), rate: P(Type.Number()), when: When }, strict),
  Type.Object({ type: Type.Literal('batchNormalization'), momentum: Type.Optional(P(Type.Number())), epsilon: Type.Optional(P(Type.Number())), when: When }, strict),
]);

const Optimizer = Type.Object({
  type: P(Type.Union([Type.Literal('adam'), Type.Literal('sgd'), Type.Literal('rmsprop')])),
  learningRate: Type.Optional(P(Type.Number())),
  momentum: Type.Optional(P(Type.Number())),
}, strict);

export const SearchRequestBody = Type.Object({
  name: Name,
  dataset: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), limit: Type.Optional(Int) }, strict),
  objective: Type.Optional(Type.Object({
    metric: Type.Optional(Literals(OBJECTIVE_METRICS)),
    direction: Type.Optional(Type.Union([Type.Literal('max'), Type.Literal('min')], { description: 'default: min for a loss, max for an accuracy' })),
  }, strict)),
  objectives: Type.Optional(Type.Array(Type.Object({
    name: Literals(OBJECTIVE_NAMES),
    direction: Type.Optional(Type.Union([Type.Literal('max'), Type.Literal('min')], { description: 'default: min for a loss, params and latency_ms, max for an accuracy' })),
  }, strict), {
    maxItems: 3,
    description: 'instead of objective: 2 or 3 objectives searched together (the search keeps a Pareto front); the first, a per-epoch metric, '
      + "is the primary one (best trial and model, targetValue); `params` is the model's parameter count, `latency_ms` its median single-image "
      + "prediction time in ms, measured on the trial's backend at its end (a trial without one stays off the front). Not with hyperband, asha or median stopping",
  })),
  algorithm: Type.Optional(Type.Object({
    name: Type.Optional(Literals(ALGORITHMS)),
    seed: Type.Optional(Type.Integer({ description: "the oracle's sampling and every trial's weight initialisation, batch order and dropout masks (derived from the seed and the configuration); default: a random one, stored" })),
    initialRandomTrials: Type.Optional(Type.Integer({ description: "bayesian, and hyperband/asha with sampler 'tpe': random configurations before it starts modelling" })),
    sampler: Type.Optional(Literals(SAMPLERS, {
      description: "hyperband, asha: how new configurations are drawn: 'tpe' (default; as BOHB, TPE over every configuration ranked by the "
        + "most epochs it reached, then its value, after initialRandomTrials random ones) or 'random' (as Keras Tuner's Hyperband)",
    })),
    maxEpochs: Type.Optional(Type.Integer({ description: 'hyperband, asha: the most epochs one configuration trains (default training.epochs)' })),
    factor: Type.Optional(Type.Integer({ description: 'hyperband: reduction factor between rounds (default 3)' })),
    hyperbandIterations: Type.Optional(Type.Integer({ description: 'hyperband: times the whole set of brackets runs (default 1)' })),
    brackets: Type.Optional(Literals(BRACKET_SIZINGS, {
      description: "hyperband: bracket sizes, 'keras-tuner' (default; Keras Tuner's arithmetic) or 'paper' (Li et al. 2018: more configurations "
        + 'start in the exploratory brackets, e.g. 9, 5 and 3 for maxEpochs 9 and factor 3 against 3, 3 and 3)',
    })),
    minEpochs: Type.Optional(Type.Integer({ description: 'asha: epochs of the lowest rung (default 1)' })),
    reductionFactor: Type.Optional(Type.Integer({ description: 'asha: 1/reductionFactor of a rung is promoted (default 3)' })),
  }, strict)),
  earlyStopping: Type.Optional(Type.Object({
    name: Type.Optional(Type.Union([Type.Literal('median'), Type.Literal('none')], { description: "median: prune a trial worse than the median of the others at the same epoch (default 'none')" })),
    startEpoch: Type.Optional(Type.Integer({ description: 'no pruning before this epoch (default 1)' })),
    minTrials: Type.Optional(Type.Integer({ description: 'finished trials needed at an epoch before pruning there (default 3)' })),
  }, strict)),
  budget: Type.Optional(Type.Object({
    maxTrials: Type.Optional(Int), maxParallelTrials: Type.Optional(Int),
    maxRetriesPerTrial: Type.Optional(Type.Integer({ minimum: 0, maximum: 10, description: 'runs after a crash before the trial fails (default 2)' })),
    maxFailedTrials: Type.Optional(Type.Integer({ minimum: 1, description: 'failed trials that fail the search (default: no limit)' })),
    maxDurationSeconds: Type.Optional(Type.Integer({ description: "no trial starts this many seconds after the search's creation" })),
    targetValue: Type.Optional(Type.Number({ description: 'the search completes once a trial reaches this objective value' })),
    maxTotalEpochs: Type.Optional(Type.Integer({ description: 'epochs all trials together may train' })),
    maxRetrains: Type.Optional(Type.Integer({ minimum: 0, description: 'retrains (POST /searches/:id/retrain) the search grants in all (default 3)' })),
  }, strict)),
  training: Type.Optional(Type.Object({
    epochs: Type.Optional(Int), batchSize: Type.Optional(Int), validationSplit: Type.Optional(Type.Number()),
    executionsPerTrial: Type.Optional(Type.Integer({ description: 'trainings per trial from fresh weights, objectives averaged (default 1)' })),
    precision: Type.Optional(Literals(PRECISIONS, {
      description: "'bf16': mixed precision (bf16 convolutions and dense products, float32 weights, optimizer and loss), "
        + "only on the native backend on a CPU with AVX512_BF16 (else 400, or the trial fails where a worker's backend decides); default 'fp32'",
    })),
  }, strict)),
  hyperparameters: Type.Array(Hyperparameter, { maxItems: 100 }),
  model: Type.Object({
    inputShape: Type.Array(Int, { minItems: 1, maxItems: 4 }),
    layers: Type.Array(Layer, { minItems: 1, maxItems: 100 }),
    optimizer: Optimizer,
    loss: Type.Literal('sparseCategoricalCrossentropy'),
  }, strict),
}, strict);
// The domain's SearchRequest is the source (the domain imports no schema library); this is its JSON shape.
type _RequestIsTheDomains = Assert<SameShape<Static<typeof SearchRequestBody>, SearchRequest>>;

const Counts = Type.Object({
  total: Int, waiting: Int, running: Int, completed: Int, pruned: Int, failed: Int, cancelled: Int,
});

const BestTrial = Type.Union([Type.Null(), Type.Object({
  id: Type.String(), number: Int, hyperparameters: HpValues, valAccuracy: Type.Union([Type.Number(), Type.Null()]),
  value: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
})]);

export const SearchResponse = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: Type.String(),
  trials: Counts,
  bestTrial: BestTrial,
  bestModelId: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  spec: Type.Unknown(),
  paretoFront: Type.Optional(Type.Array(Type.Object({
    trialId: Type.String(),
    values: Type.Record(Type.String(), Type.Number(), { description: 'per objective name, its value at the epoch where the primary objective was best (params, latency_ms: of the model kept)' }),
  }), { description: "a search with several objectives (spec.objectives): its completed trials that no other completed trial beats in every objective (those with every value; a trial whose latency was not measured is left out)" })),
  createdAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
});
/** What the API shows of a search (services/views.ts builds it; the CLI reads it). */
export type SearchView = Static<typeof SearchResponse>;

// GET /searches lists these: a search without its spec (megabytes for a large space), the spec's
// fields a list shows copied beside it.
export const SearchSummaryResponse = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: Type.String(),
  algorithm: Type.String({ description: 'spec.algorithm.name' }),
  datasetId: Type.String({ description: 'spec.dataset.id' }),
  objective: Type.Object({ metric: Type.String(), direction: Type.String() }),
  maxTrials: Type.Integer({ description: 'spec.budget.maxTrials' }),
  trials: Counts,
  bestTrial: BestTrial,
  bestModelId: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
});
export type SearchSummaryView = Static<typeof SearchSummaryResponse>;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const EpochResponse = Type.Object({
  epoch: Int, loss: Type.Number(), accuracy: Type.Number(), valLoss: Type.Number(), valAccuracy: Type.Number(), durationMs: Type.Number(),
  execution: Type.Optional(Type.Integer({ description: 'which of executionsPerTrial trainings it belongs to, from 0' })),
});
// Fields added with hyperband/asha and warm starts are optional: Fastify serializes with this
// schema (fast-json-stringify), which drops any property it does not list.
export const TrialResponse = Type.Object({
  id: Type.String(),
  number: Int,
  status: Literals(TRIAL_STATUSES),
  hyperparameters: { ...HpValues, description: 'the active hyperparameters only: a conditional one whose condition fails is absent' },
  valAccuracy: Nullable(Type.Number()),
  value: Type.Optional(Nullable(Type.Number({ description: "the objective's value (objective.metric at the best epoch, averaged over executions)" }))),
  objectiveValues: Type.Optional(Type.Record(Type.String(), Type.Number(), {
    description: "a multi-objective search's completed trial: per objective name (spec.objectives), its value at the epoch where the primary objective was best; absent where one is missing (a latency not measured)",
  })),
  targetEpochs: Type.Optional(Nullable(Type.Integer({ description: 'the epoch count it trains to (a pruned trial: the epoch it stopped at)' }))),
  initialEpoch: Type.Optional(Type.Integer({ description: "epochs its parent trained: it starts from the parent's weights there" })),
  parentTrialId: Type.Optional(Nullable(Type.String({ description: 'the trial it continues (a promotion or a retrain)' }))),
  bracket: Type.Optional(Nullable(Int)),
  rung: Type.Optional(Nullable(Int)),
  source: Type.Optional(Literals(['oracle', 'user', 'retrain'] as const)),
  epochs: Type.Array(EpochResponse),
  meanEpochs: Type.Optional(Type.Array(EpochResponse, { description: 'with executionsPerTrial > 1: per epoch, the mean over the executions that reached it' })),
  cancelRequested: Type.Optional(Type.Boolean({ description: 'present once a user asked to cancel it: a running trial stops at its next epoch boundary' })),
  backend: Nullable(Type.String()),
  modelId: Nullable(Type.String()),
  error: Nullable(Type.String()),
  attempts: Int,
  createdAt: Type.String(),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
});
/** What the API shows of a trial (services/views.ts builds it; the CLI reads it). */
export type TrialView = Static<typeof TrialResponse>;

const tags = ['searches'];
export const createSearchSchema = {
  tags, summary: 'Create a search; its trials run in the background',
  body: { ...SearchRequestBody, examples: [NOTEBOOK_SEARCH] },
  response: { 201: SearchResponse, '4xx': ErrorBody },
};
export const getSearchSchema = { tags, summary: 'A search: status, trial counts, best trial and model', params: IdParams, response: { 200: SearchResponse, '4xx': ErrorBody } };
const PAGING = 'Paginated: `?limit=` items per page (1 to 200, default 50), then `?cursor=` the `nextCursor` of the previous '
  + 'page until it is null. Cursors follow a stable order: items created meanwhile never shift or repeat a page.';
export const listSearchesSchema = {
  tags, summary: 'Your searches, newest first, as summaries (GET /searches/:id has the spec)', description: PAGING,
  querystring: PageQuery,
  response: { 200: Type.Object({ searches: Type.Array(SearchSummaryResponse), nextCursor: NextCursor }), '4xx': ErrorBody },
};
export const listTrialsSchema = {
  tags, summary: "A search's trials by number, with their hyperparameters and per-epoch metrics", description: PAGING,
  params: IdParams, querystring: PageQuery,
  response: { 200: Type.Object({ trials: Type.Array(TrialResponse), nextCursor: NextCursor }), '4xx': ErrorBody },
};
export const cancelSearchSchema = {
  tags, summary: 'Cancel: no new trials; running ones stop at their next epoch boundary',
  params: IdParams, response: { 200: SearchResponse, '4xx': ErrorBody },
};
export const EventStreamHeaders = Type.Object({ 'last-event-id': Type.Optional(Type.String({ maxLength: 4096, description: 'the id of the last event received' })) });
export const searchEventsSchema = {
  tags, summary: "A search's live progress as server-sent events, until it finishes",
  description: 'Events `trial.started`, `trial.epoch`, `trial.finished` (completed, failed, pruned or cancelled, with '
    + '`valAccuracy` and `error`) and `search.finished`, each with a JSON `data` line and an `id`; the stream ends after '
    + '`search.finished`. Reconnect with `Last-Event-ID` to get exactly the events missed; `204` when that id already '
    + 'saw `search.finished`. Comment lines keep an idle connection alive.',
  params: IdParams,
  headers: EventStreamHeaders,
  produces: ['text/event-stream'],
  response: {
    200: {
      description: 'an event stream (text/event-stream)',
      content: { 'text/event-stream': { schema: Type.String({ examples: ['id: 0.t1s\nevent: trial.started\ndata: {"searchId":"…","trialId":"…","number":1,…}\n\n'] }) } },
    },
    204: { description: 'Last-Event-ID already includes search.finished: nothing more will come', type: 'null' },
    '4xx': ErrorBody,
  },
};
