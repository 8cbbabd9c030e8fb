import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { importanceSchema } from '../schemas/importance-schemas.js';
import { cancelSearchSchema, createSearchSchema, getSearchSchema, listSearchesSchema, listTrialsSchema, searchEventsSchema } from '../schemas/search-schemas.js';
import { cancelTrialSchema } from '../schemas/trial-schemas.js';
import { retrainSchema, warmStartSchema } from '../schemas/workflow-schemas.js';
import type { SearchService } from '../services/search-service.js';
import { searchEventsRoute, type EventStreamOptions } from './search-events.js';

// req.tenant (set by the auth plugin) scopes every call to the caller's tenant.
export const searchRoutes: FastifyPluginAsyncTypebox<{ searches: SearchService; events?: EventStreamOptions }> = async (app, { searches, events }) => {
  app.post('/searches', { schema: createSearchSchema, config: { rateLimited: 'searches' } }, async (req, reply) =>
    reply.status(201).send(await searches.create(req.body, req.tenant)));
  app.get('/searches', { schema: listSearchesSchema }, async (req) => {
    const { items, nextCursor } = await searches.list(req.query, req.tenant);
    return { searches: items, nextCursor };
  });
  app.get('/searches/:id', { schema: getSearchSchema }, async (req) => searches.get(req.params.id, req.tenant));
  app.get('/searches/:id/trials', { schema: listTrialsSchema }, async (req) => {
    const { items, nextCursor } = await searches.trials(req.params.id, req.query, req.tenant);
    return { trials: items, nextCursor };
  });
  app.get('/searches/:id/importance', { schema: importanceSchema }, async (req) => searches.importance(req.params.id, req.query.objective, req.tenant));
  app.post('/searches/:id/cancel', { schema: cancelSearchSchema, config: { rateLimited: 'writes' } }, async (req) => searches.cancel(req.params.id, req.tenant));
  app.post('/searches/:id/trials', { schema: warmStartSchema, config: { rateLimited: 'writes' } }, async (req, reply) =>
    reply.status(202).send(await searches.enqueueTrials(req.params.id, req.body.trials.map((t) => t.hyperparameters), req.tenant)));
  app.post('/searches/:id/retrain', { schema: retrainSchema, config: { rateLimited: 'writes' } }, async (req, reply) =>
    reply.status(202).send(await searches.retrain(req.params.id, req.body.epochs, req.tenant)));
  app.post('/searches/:id/trials/:trialId/cancel', { schema: cancelTrialSchema, config: { rateLimited: 'writes' } }, async (req, reply) => {
    const trial = await searches.cancelTrial(req.params.id, req.params.trialId, req.tenant);
    // 202: a running trial stops later, at its next epoch boundary.
    return reply.status(trial.status === 'cancelled' ? 200 : 202).send(trial);
  });
  app.get('/searches/:id/events', { schema: searchEventsSchema }, searchEventsRoute(app, searches, events));
};
