import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { ValidationError } from '../domain/errors.js';
import type { JsonScanLimits } from '../domain/json-scan.js';
import { artifactSchema, getModelSchema, predictSchema, type PredictBody } from '../schemas/model-schemas.js';
import type { Metrics } from '../services/metrics.js';
import type { ModelService } from '../services/model-service.js';
import { filesOf, multipartForm } from './multipart-form.js';

const IMAGE_TYPES = ['image/png', 'image/jpeg'];

/** The image a predict request sends (raw body or multipart field `image`); undefined for JSON instances. */
function imageOf(req: FastifyRequest): Uint8Array | undefined {
  if (req.isMultipart()) {
    const image = filesOf(req).get('image');
    if (!image) throw new ValidationError('image', 'is required: a multipart prediction sends one PNG or JPEG file in the field image');
    return image;
  }
  return Buffer.isBuffer(req.body) ? req.body : undefined;
}

export const modelRoutes: FastifyPluginAsyncTypebox<{ models: ModelService; metrics?: Metrics }> = async (app, { models, metrics }) => {
  app.get('/models/:id', { schema: getModelSchema }, async (req) => models.get(req.params.id, req.tenant));
  app.get('/models/:id/artifact', { schema: artifactSchema }, async (req, reply) => {
    const format = req.query.format ?? 'tfjs';
    const { fileName, data } = await models.archive(req.params.id, req.tenant, format);
    return reply.type(format === 'onnx' ? 'application/octet-stream' : 'application/zip')
      .header('content-disposition', `attachment; filename="${fileName}"`)
      .send(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });
  // A PNG or JPEG body is taken as it came, a Buffer (bodyLimit applies as to any body).
  app.addContentTypeParser(IMAGE_TYPES, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  const imageForm = multipartForm({ maxBytes: app.initialConfig.bodyLimit ?? 1 << 20, maxFiles: 1, limitName: 'BODY_LIMIT_BYTES' }, false);
  // A large JSON body is decoded in the inference threads (json-body.ts), straight into pixels.
  const decodeJson = async (req: FastifyRequest, bytes: Buffer, limits: JsonScanLimits) => {
    const instances = await models.decodeJson((req.params as { id: string }).id, bytes, limits, req.tenant);
    return instances && { instances };
  };
  app.post('/models/:id/predict', { schema: predictSchema, config: { rateLimited: 'predict', decodeJson }, preValidation: imageForm }, async (req) => {
    const image = imageOf(req);
    // Without an image the body is the JSON one (the type provider cannot narrow a body by its content type).
    const predict = () => (image
      ? models.predictImage(req.params.id, image, req.tenant)
      : models.predict(req.params.id, (req.body as PredictBody).instances, req.tenant));
    return { predictions: await (metrics ? metrics.timePrediction(predict) : predict()) };
  });
};
