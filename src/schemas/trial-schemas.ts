// Steps on one trial of a search. Shapes only; the rules (which states can be cancelled, and how)
// are the search service's.
import { Type } from 'typebox';
import { ErrorBody, IdParams } from './common.js';
import { TrialResponse } from './search-schemas.js';

export const TrialParams = Type.Object({ id: IdParams.properties.id, trialId: IdParams.properties.id });

export const cancelTrialSchema = {
  tags: ['searches'],
  summary: 'Cancel one trial: a waiting one now, a running one at its next epoch boundary',
  description: 'Any waiting or running trial of the search, a retrain of a completed search included; the search goes on '
    + 'with its other trials. `200` with the trial `cancelled` when it had not started; `202` with `cancelRequested: true` '
    + 'when it runs: it ends `cancelled` after the epoch it is training, and the epochs it trained are kept. `409` names '
    + 'the state of a trial that has already ended.',
  params: TrialParams,
  response: { 200: TrialResponse, 202: TrialResponse, '4xx': ErrorBody },
};
