// Builds the Fastify app from its plugins and routes without listening, so tests use it directly.
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiKeyService } from './auth/api-keys.js';
import { errorHandler, notFoundHandler } from './http-errors.js';
import { openApiOptions, swaggerUiOptions } from './openapi.js';
import { authPlugin } from './plugins/auth.js';
import { bodyLimitsPlugin, DEFAULT_SEARCH_BODY } from './plugins/body-limits.js';
import { jsonBodyPlugin } from './plugins/json-body.js';
import { rateLimitsPlugin, type RateLimitSettings } from './plugins/rate-limits.js';
import { securityPlugin, withSecurityHeaders } from './plugins/security.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { dashboardRoutes, isDashboardRoute } from './routes/dashboard.js';
import { datasetRoutes } from './routes/datasets.js';
import { healthRoutes, type HealthCheck } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { modelRoutes } from './routes/models.js';
import type { EventStreamOptions } from './routes/search-events.js';
import { searchRoutes } from './routes/searches.js';
import type { DatasetService } from './services/dataset-service.js';
import type { Metrics } from './services/metrics.js';
import type { ModelService } from './services/model-service.js';
import type { SearchService } from './services/search-service.js';

export interface AppDeps {
  searches: SearchService;
  models: ModelService;
  health: HealthCheck;
  /** Needed when authentication is on. */
  apiKeys?: ApiKeyService;
  /** Serves GET /metrics and times predictions when given. */
  metrics?: Metrics;
  /** Serves /datasets when given. */
  datasets?: DatasetService;
}

export interface AppOptions {
  logger: FastifyServerOptions['loggerInstance'] | boolean;
  /** BODY_LIMIT_BYTES: the ceiling over every route's own body limit. */
  bodyLimit: number;
  /** Per-route body limits (src/plugins/body-limits.ts); default: SEARCH_BODY_* and MAX_PREDICT_INSTANCES' defaults. */
  bodyLimits?: { search: { bytes: number; values: number }; maxPredictInstances: number };
  /** Default: off, the embedded single-user mode. */
  auth?: { enabled: boolean };
  /** Requests per minute per route and key, counted in Redis when given one; default: no limits. */
  rateLimits?: RateLimitSettings;
  /** GET /searches/:id/events: how often it polls the store (default 1000 ms), and the caps on open streams. */
  events?: EventStreamOptions;
}

/** Reachable without a key: liveness probes, the API's own documentation and the dashboard page (it asks for a key). */
const isPublic = (url: string) => url === '/health' || url === '/docs' || url.startsWith('/docs/') || isDashboardRoute(url);

export function buildApp(deps: AppDeps, opts: AppOptions) {
  const app = Fastify({
    ...(typeof opts.logger === 'boolean' ? { logger: opts.logger } : { loggerInstance: opts.logger }),
    bodyLimit: opts.bodyLimit,
    // Errors Fastify raises before routing (a URL that does not decode) get the contract's shape too.
    frameworkErrors: withSecurityHeaders(errorHandler),
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
  app.register(jsonBodyPlugin);
  // Before the routes: its onRoute hook gives each its body limits.
  app.register(bodyLimitsPlugin, { settings: { ceiling: opts.bodyLimit, search: DEFAULT_SEARCH_BODY, maxPredictInstances: 256, ...opts.bodyLimits } });
  // Headers and rate limits, then auth, app-wide and before the routes so their hooks see every
  // route: the headers' hook first, so a 401 carries them too.
  app.register(securityPlugin);
  app.register(rateLimitsPlugin, { settings: opts.rateLimits });
  app.register(authPlugin, { enabled: opts.auth?.enabled ?? false, keys: deps.apiKeys, isPublic });
  // Registered before the routes, at the top level, so it sees every route's schema.
  app.register(swagger, openApiOptions);
  app.register(swaggerUi, swaggerUiOptions);
  // multipart/form-data for uploads; each route reading a form sets its own size limits.
  app.register(multipart, { limits: { files: 4, fields: 20, parts: 30 } });
  app.register(healthRoutes, { check: deps.health, keys: deps.apiKeys });
  app.register(searchRoutes, { searches: deps.searches, events: opts.events });
  app.register(modelRoutes, { models: deps.models, metrics: deps.metrics });
  if (deps.metrics) app.register(metricsRoutes, { metrics: deps.metrics });
  app.register(apiKeyRoutes, { keys: deps.apiKeys });
  if (deps.datasets) app.register(datasetRoutes, { datasets: deps.datasets });
  app.register(dashboardRoutes);
  return app;
}
export type App = ReturnType<typeof buildApp>;
