import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { SearchRequest } from '../domain/search-spec.js';
import { cancelSearchSchema, createSearchSchema, getSearchSchema, listSearchesSchema, listTrialsSchema } from '../schemas/search-schemas.js';
import type { SearchService } from '../services/search-service.js';

export const searchRoutes: FastifyPluginAsyncTypebox<{ searches: SearchService }> = async (app, { searches }) => {
  app.post('/searches', { schema: createSearchSchema }, async (req, reply) =>
    reply.status(201).send(await searches.create(req.body as SearchRequest)));
  app.get('/searches', { schema: listSearchesSchema }, async () => ({ searches: await searches.list() }));
  app.get('/searches/:id', { schema: getSearchSchema }, async (req) => searches.get(req.params.id));
  app.get('/searches/:id/trials', { schema: listTrialsSchema }, async (req) => ({ trials: await searches.trials(req.params.id) }));
  app.post('/searches/:id/cancel', { schema: cancelSearchSchema }, async (req) => searches.cancel(req.params.id));
};
