// Builds the Fastify app from its routes without listening, so tests use it directly.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { errorHandler, notFoundHandler } from './http-errors.js';
import { openApiOptions, swaggerUiOptions } from './openapi.js';
import { healthRoutes, type HealthCheck } from './routes/health.js';
import { modelRoutes } from './routes/models.js';
import { searchRoutes } from './routes/searches.js';
import type { ModelService } from './services/model-service.js';
import type { SearchService } from './services/search-service.js';

export interface AppDeps {
  searches: SearchService;
  models: ModelService;
  health: HealthCheck;
}

export function buildApp(deps: AppDeps, opts: { logger: FastifyServerOptions['loggerInstance'] | boolean; bodyLimit: number }) {
  const app = Fastify({
    ...(typeof opts.logger === 'boolean' ? { logger: opts.logger } : { loggerInstance: opts.logger }),
    bodyLimit: opts.bodyLimit,
    ajv: {
      customOptions: {
        // Reject what the contract does not know rather than silently dropping or converting it.
        removeAdditional: false,
        coerceTypes: false,
        discriminator: true,
        allErrors: false,
        verbose: true, // errors carry their schema, so a bad union tag can list the valid ones
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  // Registered before the routes, at the top level, so it sees every route's schema.
  app.register(swagger, openApiOptions);
  app.register(swaggerUi, swaggerUiOptions);
  app.register(healthRoutes, { check: deps.health });
  app.register(searchRoutes, { searches: deps.searches });
  app.register(modelRoutes, { models: deps.models });
  return app;
}
export type App = ReturnType<typeof buildApp>;
