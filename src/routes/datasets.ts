import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { UploadFields } from '../datasets/upload.js';
import { createDatasetSchema, deleteDatasetSchema, getDatasetSchema, listDatasetsSchema } from '../schemas/dataset-schemas.js';
import type { DatasetService } from '../services/dataset-service.js';
import { filesOf, multipartForm } from './multipart-form.js';

// req.tenant (set by the auth plugin) scopes every call to the caller's tenant.
export const datasetRoutes: FastifyPluginAsyncTypebox<{ datasets: DatasetService }> = async (app, { datasets }) => {
  const form = multipartForm({ maxBytes: datasets.opts.maxBytes, maxFiles: 4, limitName: 'DATASET_MAX_BYTES' }, true);
  app.post('/datasets', { schema: createDatasetSchema, config: { rateLimited: 'writes' }, preValidation: form }, async (req, reply) => {
    const { name, format, labels, inputShape, channels, pixelMax } = req.body;
    const fields: UploadFields = { name, format, labels, inputShape, channels, pixelMax };
    return reply.status(201).send(await datasets.create(fields, filesOf(req), req.tenant));
  });
  app.get('/datasets', { schema: listDatasetsSchema }, async (req) => {
    const { items, nextCursor } = await datasets.list(req.query, req.tenant);
    return { datasets: items, nextCursor };
  });
  app.get('/datasets/:id', { schema: getDatasetSchema }, async (req) => datasets.get(req.params.id, req.tenant));
  app.delete('/datasets/:id', { schema: deleteDatasetSchema, config: { rateLimited: 'writes' } }, async (req, reply) => {
    await datasets.delete(req.params.id, req.tenant);
    return reply.status(204).send(null);
  });
};
