import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { UploadFields } from '../domain/datasets.js';
import { createDatasetSchema, deleteDatasetSchema, getDatasetSchema, listDatasetsSchema } from '../schemas/dataset-schemas.js';
import type { DatasetService } from '../services/dataset-service.js';
import { discardUpload, keepUpload, multipartUpload, uploadOf } from './multipart-upload.js';

// req.tenant (set by the auth plugin) scopes every call to the caller's tenant.
export const datasetRoutes: FastifyPluginAsyncTypebox<{ datasets: DatasetService }> = async (app, { datasets }) => {
  const form = multipartUpload({
    maxBytes: datasets.opts.maxBytes, maxFiles: 4, limitName: 'DATASET_MAX_BYTES', dir: datasets.opts.uploadDir ?? '',
    before: (req) => datasets.checkCountQuota(req.tenant),
  });
  const route = { schema: createDatasetSchema, config: { rateLimited: 'writes' as const }, preValidation: form, onResponse: discardUpload };
  app.post('/datasets', route, async (req, reply) => {
    const { name, format, labels, inputShape, channels, pixelMax } = req.body;
    const fields: UploadFields = { name, format, labels, inputShape, channels, pixelMax };
    const view = await datasets.create(fields, uploadOf(req), req.tenant);
    keepUpload(req); // the decoding process removes the files now
    return reply.status(202).header('location', `/datasets/${view.id}`).send(view);
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
