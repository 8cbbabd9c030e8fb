import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RateLimitOptions } from '@fastify/rate-limit';
import { artifactSchema, getModelSchema, predictSchema } from '../schemas/model-schemas.js';
import type { Metrics } from '../services/metrics.js';
import type { ModelService } from '../services/model-service.js';
import { artifactFileName, artifactToZip } from '../training/export.js';

export const modelRoutes: FastifyPluginAsyncTypebox<{ models: ModelService; predictLimit?: RateLimitOptions | false; metrics?: Metrics }> = async (app, { models, predictLimit = false, metrics }) => {
  app.get('/models/:id', { schema: getModelSchema }, async (req) => models.get(req.params.id, req.tenant));
  app.get('/models/:id/artifact', { schema: artifactSchema }, async (req, reply) => {
    const zip = await artifactToZip(await models.artifact(req.params.id, req.tenant));
    return reply.type('application/zip')
      .header('content-disposition', `attachment; filename="${artifactFileName(req.params.id)}"`)
      .send(zip);
  });
  app.post('/models/:id/predict', { schema: predictSchema, config: { rateLimit: predictLimit } }, async (req) => {
    const predict = () => models.predict(req.params.id, req.body.instances, req.tenant);
    return { predictions: await (metrics ? metrics.timePrediction(predict) : predict()) };
  });
};
