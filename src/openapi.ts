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
      { name: 'models', description: 'trained models: summaries and predictions' },
      { name: 'health', description: 'liveness of the service and its dependencies' },
    ],
  },
};

export const swaggerUiOptions: FastifySwaggerUiOptions = { routePrefix: '/docs' };
