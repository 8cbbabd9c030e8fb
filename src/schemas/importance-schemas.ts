// GET /searches/:id/importance: which hyperparameters mattered for the objective (PED-ANOVA, see
// src/domain/importance/ped-anova.ts). Query strings are not coerced: ?objective= is one of the metrics.
import { Type, type Static } from 'typebox';
import { OBJECTIVE_METRICS } from '../domain/algorithms.js';
import { ErrorBody, IdParams } from './common.js';

export const ImportanceQuery = Type.Object({
  objective: Type.Optional(Type.Enum([...OBJECTIVE_METRICS], {
    type: 'string', description: "the metric to explain (default: the search's objective); another metric is read at each trial's best epoch for it, larger accuracy or smaller loss being better",
  })),
}, { additionalProperties: false });

export const ImportanceResponse = Type.Object({
  searchId: Type.String(),
  objective: Type.Object({ metric: Type.String(), direction: Type.String() }),
  method: Type.String({ description: "'ped-anova', as Optuna's PedAnovaImportanceEvaluator" }),
  baselineQuantile: Type.Number({ description: 'the top fraction of trials whose distribution is compared with all trials' }),
  trials: Type.Integer({ description: 'completed trials with an objective value, each configuration once (retrains left out; a promoted one at its largest budget)' }),
  importances: Type.Array(Type.Object({
    name: Type.String(),
    importance: Type.Number({ description: 'its share, from 0 to 1; the shares sum to 1' }),
    trials: Type.Integer({ description: 'trials it was scored over: for a conditional hyperparameter, those where it was active' }),
  }), { description: 'largest first; empty when there is too little to tell (see reason)' }),
  reason: Type.Optional(Type.String({ description: 'why importances is empty, or why the shares are all equal' })),
});
export type ImportanceView = Static<typeof ImportanceResponse>;

export const importanceSchema = {
  tags: ['searches'],
  summary: 'Hyperparameter importance: how much each hyperparameter explains the best trials (PED-ANOVA)',
  description: 'Compares, per hyperparameter, the distribution of its values among the top 10 % of completed trials with '
    + 'that among all of them (Parzen estimates, Pearson divergence), as Optuna\'s PedAnovaImportanceEvaluator; the shares '
    + 'sum to 1. Fewer than 3 completed trials: `importances` is empty and `reason` says why.',
  params: IdParams,
  querystring: ImportanceQuery,
  response: { 200: ImportanceResponse, '4xx': ErrorBody },
};
