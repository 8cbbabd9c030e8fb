import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ApiKeyService } from '../auth/api-keys.js';
import { createApiKeySchema, listApiKeysSchema, revokeApiKeySchema } from '../schemas/api-key-schemas.js';

/** Key management; `access: 'admin'` makes the auth plugin demand ADMIN_API_KEY. */
export const apiKeyRoutes: FastifyPluginAsyncTypebox<{ keys: ApiKeyService | undefined }> = async (app, { keys }) => {
  const config = { access: 'admin' as const };
  const write = { ...config, rateLimited: 'writes' as const };
  // Without authentication there is no key service; the auth plugin answers these routes first.
  const service = () => keys!;
  app.post('/api-keys', { schema: createApiKeySchema, config: write }, async (req, reply) => reply.status(201).send(await service().create(req.body)));
  app.get('/api-keys', { schema: listApiKeysSchema, config }, async (req) => {
    const { items, nextCursor } = await service().list(req.query);
    return { apiKeys: items, nextCursor };
  });
  app.delete('/api-keys/:id', { schema: revokeApiKeySchema, config: write }, async (req) => service().revoke(req.params.id));
};
