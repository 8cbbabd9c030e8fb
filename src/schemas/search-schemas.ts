// The POST /searches contract: JSON shape only. Rules that need more than a shape (min <= max,
// known hyperparameters, layer shapes that fit) are the domain's (src/domain/search-spec.ts).
import { Type, type Static } from 'typebox';
import { ErrorBody, HpValue, HpValues, IdParams, Name, taggedUnion } from './common.js';
import { NOTEBOOK_SEARCH } from './search-example.js';

const strict = { additionalProperties: false } as const;
const Ref = Type.Object({ hp: Type.String({ minLength: 1, maxLength: 64 }) }, strict);
const P = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Ref]);
const Int = Type.Integer();
const Padding = Type.Union([Type.Literal('valid'), Type.Literal('same')]);
const Activation = Type.String({ maxLength: 32 });

const Sampling = Type.Union([Type.Literal('linear'), Type.Literal('log')]);
const Hyperparameter = taggedUnion([
  Type.Object({ name: Type.String(), type: Type.Literal('int'), min: Int, max: Int, step: Type.Optional(Int), sampling: Type.Optional(Sampling) }, strict),
  Type.Object({ name: Type.String(), type: Type.Literal('float'), min: Type.Number(), max: Type.Number(), step: Type.Optional(Type.Number()), sampling: Type.Optional(Sampling) }, strict),
  Type.Object({ name: Type.String(), type: Type.Literal('choice'), values: Type.Array(HpValue, { minItems: 1, maxItems: 1000 }) }, strict),
  Type.Object({ name: Type.String(), type: Type.Literal('boolean') }, strict),
  Type.Object({ name: Type.String(), type: Type.Literal('fixed'), value: HpValue }, strict),
]);

const Layer = taggedUnion([
  Type.Object({
    type: Type.Literal('conv2d'), filters: P(Int), kernelSize: P(Int), strides: Type.Optional(P(Int)),
    padding: Type.Optional(P(Padding)), activation: Type.Optional(P(Activation)),
  }, strict),
  Type.Object({ type: Type.Literal('maxPooling2d'), poolSize: Type.Optional(P(Int)), strides: Type.Optional(P(Int)), padding: Type.Optional(P(Padding)) }, strict),
  Type.Object({ type: Type.Literal('averagePooling2d'), poolSize: Type.Optional(P(Int)), strides: Type.Optional(P(Int)), padding: Type.Optional(P(Padding)) }, strict),
  Type.Object({ type: Type.Literal('flatten') }, strict),
  Type.Object({ type: Type.Literal('dense'), units: P(Int), activation: Type.Optional(P(Activation)) }, strict),
  Type.Object({ type: Type.Literal('dropout'), rate: P(Type.Number()) }, strict),
  Type.Object({ type: Type.Literal('batchNormalization'), momentum: Type.Optional(P(Type.Number())), epsilon: Type.Optional(P(Type.Number())) }, strict),
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
    metric: Type.Optional(Type.Literal('val_accuracy')),
    direction: Type.Optional(Type.Union([Type.Literal('max'), Type.Literal('min')])),
  }, strict)),
  algorithm: Type.Optional(Type.Object({
    name: Type.Optional(Type.Union([Type.Literal('random'), Type.Literal('grid'), Type.Literal('bayesian')])),
    seed: Type.Optional(Int),
    initialRandomTrials: Type.Optional(Int),
  }, strict)),
  budget: Type.Optional(Type.Object({
    maxTrials: Type.Optional(Int), maxParallelTrials: Type.Optional(Int),
    maxRetriesPerTrial: Type.Optional(Type.Integer({ minimum: 0, maximum: 10, description: 'runs after a crash before the trial fails (default 2)' })),
    maxFailedTrials: Type.Optional(Type.Integer({ minimum: 1, description: 'failed trials that fail the search (default: no limit)' })),
  }, strict)),
  training: Type.Optional(Type.Object({
    epochs: Type.Optional(Int), batchSize: Type.Optional(Int), validationSplit: Type.Optional(Type.Number()),
  }, strict)),
  hyperparameters: Type.Array(Hyperparameter, { maxItems: 100 }),
  model: Type.Object({
    inputShape: Type.Array(Int, { minItems: 1, maxItems: 4 }),
    layers: Type.Array(Layer, { minItems: 1, maxItems: 100 }),
    optimizer: Optimizer,
    loss: Type.Literal('sparseCategoricalCrossentropy'),
  }, strict),
}, strict);

const Counts = Type.Object({
  total: Int, waiting: Int, running: Int, completed: Int, pruned: Int, failed: Int, cancelled: Int,
});

export const SearchResponse = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: Type.String(),
  trials: Counts,
  bestTrial: Type.Union([Type.Null(), Type.Object({ id: Type.String(), number: Int, hyperparameters: HpValues, valAccuracy: Type.Union([Type.Number(), Type.Null()]) })]),
  bestModelId: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  spec: Type.Unknown(),
  createdAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
});

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
export const TrialResponse = Type.Object({
  id: Type.String(),
  number: Int,
  status: Type.String(),
  hyperparameters: HpValues,
  valAccuracy: Nullable(Type.Number()),
  epochs: Type.Array(Type.Object({
    epoch: Int, loss: Type.Number(), accuracy: Type.Number(), valLoss: Type.Number(), valAccuracy: Type.Number(), durationMs: Type.Number(),
  })),
  backend: Nullable(Type.String()),
  modelId: Nullable(Type.String()),
  error: Nullable(Type.String()),
  attempts: Int,
  createdAt: Type.String(),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
});

const tags = ['searches'];
export const createSearchSchema = {
  tags, summary: 'Create a search; its trials run in the background',
  body: { ...SearchRequestBody, examples: [NOTEBOOK_SEARCH] },
  response: { 201: SearchResponse, '4xx': ErrorBody },
};
export const getSearchSchema = { tags, summary: 'A search: status, trial counts, best trial and model', params: IdParams, response: { 200: SearchResponse, '4xx': ErrorBody } };
export const listSearchesSchema = { tags, summary: 'Every search, newest first', response: { 200: Type.Object({ searches: Type.Array(SearchResponse) }) } };
export const listTrialsSchema = {
  tags, summary: "A search's trials with their hyperparameters and per-epoch metrics",
  params: IdParams, response: { 200: Type.Object({ trials: Type.Array(TrialResponse) }), '4xx': ErrorBody },
};
export const cancelSearchSchema = {
  tags, summary: 'Cancel: no new trials; running ones stop at their next epoch boundary',
  params: IdParams, response: { 200: SearchResponse, '4xx': ErrorBody },
};
export const searchEventsSchema = {
  tags, summary: "A search's live progress as server-sent events, until it finishes",
  description: 'Events `trial.started`, `trial.epoch`, `trial.finished` (completed, failed, pruned or cancelled, with '
    + '`valAccuracy` and `error`) and `search.finished`, each with a JSON `data` line and an `id`; the stream ends after '
    + '`search.finished`. Reconnect with `Last-Event-ID` to get exactly the events missed; `204` when that id already '
    + 'saw `search.finished`. Comment lines keep an idle connection alive.',
  params: IdParams,
  headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ maxLength: 4096, description: 'the id of the last event received' })) }),
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
export type SearchRequestBodyT = Static<typeof SearchRequestBody>;
