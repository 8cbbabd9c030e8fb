import type { FastifyPluginAsync } from 'fastify';

export type HealthCheck = () => Promise<Record<string, unknown>>;

/** 200 when every dependency answers, 503 otherwise, with what each said. */
export const healthRoutes: FastifyPluginAsync<{ check: HealthCheck }> = async (app, { check }) => {
  app.get('/health', { schema: { tags: ['health'], summary: 'Database and Redis reachability', security: [] } }, async (_req, reply) => {
    const report = await check();
    const ok = Object.values(report).every((v) => (v as { ok?: boolean })?.ok !== false);
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', ...report });
  });
};
