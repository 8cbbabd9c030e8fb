// Security headers (helmet) on every response (the rate limits are in rate-limits.ts).
// Registered before the auth plugin: its onRequest hook must run before auth can answer 401, and
// errors Fastify raises before any hook (a URL that does not decode) get the headers through
// withSecurityHeaders.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import { appWide } from './plugin.js';

// Helmet's defaults suit Swagger UI at /docs (same-origin scripts, inline styles, data: images),
// except upgrade-insecure-requests, which would break it behind plain HTTP.
const helmetHeaders = helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });

/**
 * What helmet sets and removes, worked out once: with no per-request directive (a nonce) they never
 * change, and having helmet build them (its CSP string among them) for every request cost the event
 * loop more than a prediction's JSON parse. Helmet only ever calls setHeader and removeHeader.
 */
function headersOnce(): { set: [string, string | number | readonly string[]][]; removed: string[] } {
  const set: [string, string | number | readonly string[]][] = [];
  const removed: string[] = [];
  const res = { setHeader: (name: string, value: string | number | readonly string[]) => { set.push([name, value]); }, removeHeader: (name: string) => { removed.push(name); } };
  helmetHeaders({} as never, res as never, (err?: unknown) => { if (err) throw err; });
  return { set, removed };
}
const HEADERS = headersOnce();

/** On the raw response, so that what a route writes itself (SSE, downloads) has them too. */
function applyHeaders(_req: FastifyRequest, reply: FastifyReply): void {
  for (const [name, value] of HEADERS.set) reply.raw.setHeader(name, value);
  for (const name of HEADERS.removed) reply.raw.removeHeader(name);
}

/** Wraps an error handler for errors raised before any hook ran (Fastify's `frameworkErrors`). */
export function withSecurityHeaders<E>(handler: (err: E, req: FastifyRequest, reply: FastifyReply) => unknown) {
  return (err: E, req: FastifyRequest, reply: FastifyReply) => {
    applyHeaders(req, reply);
    return handler(err, req, reply);
  };
}

export const securityPlugin = appWide('hypertune-security', async (app: FastifyInstance) => {
  app.addHook('onRequest', (req, reply, done) => {
    applyHeaders(req, reply);
    done();
  });
});
