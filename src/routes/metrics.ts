import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../services/metrics.js';

/** Prometheus text format. Open like /health (scrapers carry no API key) and never rate limited. */
export const metricsRoutes: FastifyPluginAsync<{ metrics: Metrics }> = async (app, { metrics }) => {
  app.get('/metrics', {
    schema: { tags: ['health'], summary: 'Prometheus metrics: queue, trials, training throughput, prediction latency', security: [] },
    config: { access: 'public', rateLimit: false },
  }, async (_req, reply) => {
    const text = await metrics.scrape();
    return reply.type(metrics.contentType).send(text);
  });
};
