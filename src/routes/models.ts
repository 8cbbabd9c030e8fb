import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RateLimitOptions } from '@fastify/rate-limit';
import { getModelSchema, predictSchema } from '../schemas/model-schemas.js';
import type { ModelService } from '../services/model-service.js';

export const modelRoutes: FastifyPluginAsyncTypebox<{ models: ModelService; predictLimit?: RateLimitOptions | false }> = async (app, { models, predictLimit = false }) => {
  app.get('/models/:id', { schema: getModelSchema }, async (req) => models.get(req.params.id, req.tenant));
  app.post('/models/:id/predict', { schema: predictSchema, config: { rateLimit: predictLimit } }, async (req) =>
    ({ predictions: await models.predict(req.params.id, req.body.instances, req.tenant) }));
};
