import type { FastifyPluginAsync } from 'fastify';

/** Each component's state; `ok: false` marks one down, and its other fields (an error's text) go to the log only. */
export type HealthCheck = () => Promise<Record<string, unknown>>;

type State = 'ok' | 'degraded';

/**
 * 200 when every dependency answers, 503 otherwise, saying only ok/degraded per component: to
 * anyone, key or not. /health is public (probes carry no key) and a driver's error names hosts,
 * ports and internals; whoever runs the service reads them in the log, where they are written.
 */
export const healthRoutes: FastifyPluginAsync<{ check: HealthCheck }> = async (app, { check }) => {
  app.get('/health', { schema: { tags: ['health'], summary: 'Database and Redis reachability: ok or degraded each', security: [] } }, async (req, reply) => {
    const report = await check();
    const states: Record<string, State> = {};
    for (const [name, v] of Object.entries(report)) states[name] = (v as { ok?: boolean } | null)?.ok === false ? 'degraded' : 'ok';
    const ok = Object.values(states).every((s) => s === 'ok');
    if (!ok) req.log.warn({ health: report }, 'health check degraded');
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', ...states });
  });
};
