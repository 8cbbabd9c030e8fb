import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getModelSchema, predictSchema } from '../schemas/model-schemas.js';
import type { ModelService } from '../services/model-service.js';

export const modelRoutes: FastifyPluginAsyncTypebox<{ models: ModelService }> = async (app, { models }) => {
  app.get('/models/:id', { schema: getModelSchema }, async (req) => models.get(req.params.id));
  app.post('/models/:id/predict', { schema: predictSchema }, async (req) => ({ predictions: await models.predict(req.params.id, req.body.instances) }));
};
