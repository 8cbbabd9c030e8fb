// OpenAPI from the same route schemas that validate requests: GET /docs (Swagger UI), /docs/json.
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { FastifySwaggerUiOptions } from '@fastify/swagger-ui';

export const openApiOptions: FastifyDynamicSwaggerOptions = {
  openapi: {
    info: {
      title: 'hypertune',
      description: 'Keras-Tuner-style hyperparameter search as a service: searches, trials, models.',
      version: '0.1.0',
    },
    tags: [
      { name: 'searches', description: 'create, follow and cancel searches; their trials' },
      { name: 'models', description: 'trained models: summaries, predictions and export' },
      { name: 'api-keys', description: 'tenant API keys, managed with the admin key' },
      { name: 'health', description: 'liveness of the service and its dependencies' },
    ],
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'With authentication on (ADMIN_API_KEY or AUTH_ENABLED=true): a tenant key for searches and models, '
            + 'the admin key for /api-keys. Without it, no key is needed.',
        },
      },
    },
    // Every operation but /health and /docs; health says so itself with an empty list.
    security: [{ bearerAuth: [] }],
  },
};

export const swaggerUiOptions: FastifySwaggerUiOptions = { routePrefix: '/docs' };
