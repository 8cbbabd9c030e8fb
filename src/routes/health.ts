import type { FastifyPluginAsync } from 'fastify';
import type { ApiKeyService } from '../auth/api-keys.js';

/** Each component's state; `ok: false` marks one down, and its other fields (an error's text) go to the log only. */
export type HealthCheck = () => Promise<Record<string, unknown>>;

type State = 'ok' | 'degraded';

/**
 * 200 when every dependency answers, 503 otherwise. To anyone: only ok/degraded per component.
 * /health is public (probes carry no key) and a driver's error names hosts, ports and internals;
 * whoever runs the service reads them in the log, where they are written, or asks with the admin
 * key (ADMIN_API_KEY, whenever one is set): that answer holds each component's report as the check
 * gave it (errors, queue counts, the prediction backend, the live workers).
 */
export const healthRoutes: FastifyPluginAsync<{ check: HealthCheck; keys?: ApiKeyService }> = async (app, { check, keys }) => {
  app.get('/health', { schema: { tags: ['health'], summary: 'Database and Redis reachability: ok or degraded each (the details with the admin key)', security: [] } }, async (req, reply) => {
    const [report, admin] = await Promise.all([check(), isAdmin(keys, req.headers.authorization)]);
    const states: Record<string, State> = {};
    for (const [name, v] of Object.entries(report)) states[name] = (v as { ok?: boolean } | null)?.ok === false ? 'degraded' : 'ok';
    const ok = Object.values(states).every((s) => s === 'ok');
    if (!ok) req.log.warn({ health: report }, 'health check degraded');
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', ...(admin ? report : states) });
  });
};

/** Never throws: a missing, wrong or tenant key (or a database down while looking one up) is no admin. */
async function isAdmin(keys: ApiKeyService | undefined, authorization: string | undefined): Promise<boolean> {
  if (!keys || authorization === undefined) return false;
  return keys.authenticate(authorization).then((p) => p.kind === 'admin', () => false);
}
