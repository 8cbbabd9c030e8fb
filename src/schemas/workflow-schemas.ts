// Steps a user takes on an existing search: warm-start configurations (Optuna's enqueue_trial)
// and a longer retrain of the best model (the notebook's model.fit(..., initial_epoch=...)).
// Shapes only; the rules (values in the space, no duplicates, room in the budget, more epochs than
// the best trial trained) are the search service's.
import { Type } from 'typebox';
import { ErrorBody, HpValues, IdParams } from './common.js';
import { SearchResponse, TrialResponse } from './search-schemas.js';

const strict = { additionalProperties: false } as const;

export const WarmStartBody = Type.Object({
  trials: Type.Array(Type.Object({ hyperparameters: HpValues }, strict), { minItems: 1, maxItems: 100 }),
}, strict);

export const RetrainBody = Type.Object({
  epochs: Type.Integer({ minimum: 1, description: "epochs to train to in all: more than the best trial's own" }),
}, strict);

const tags = ['searches'];
export const warmStartSchema = {
  tags, summary: 'Warm start: queue configurations to try before the algorithm suggests its own',
  description: 'Like Optuna\'s `enqueue_trial`: each configuration must be a full, valid point of the search space, '
    + 'not tried yet, and count against `budget.maxTrials`. They run first, as trials with `source` "user".',
  params: IdParams, body: WarmStartBody, response: { 202: SearchResponse, '4xx': ErrorBody },
};
export const retrainSchema = {
  tags, summary: 'Train the best model further, to `epochs` epochs in all, starting from its weights',
  description: "Creates one trial (`source` \"retrain\") with the best trial's hyperparameters that resumes at the "
    + 'best trial\'s last epoch; its model lists the model it continued in `lineage`.',
  params: IdParams, body: RetrainBody, response: { 202: TrialResponse, '4xx': ErrorBody },
};
