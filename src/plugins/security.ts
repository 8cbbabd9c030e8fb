// Security headers (helmet) on every response (the rate limits are in rate-limits.ts).
// Registered before the auth plugin: its onRequest hook must run before auth can answer 401, and
// errors Fastify raises before any hook (a URL that does not decode) get the headers through
// withSecurityHeaders.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import { appWide } from './plugin.js';

// Helmet's defaults suit Swagger UI at /docs (same-origin scripts, inline styles, data: images),
// except upgrade-insecure-requests, which would break it behind plain HTTP.
const setHeaders = helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });

function applyHeaders(req: FastifyRequest, reply: FastifyReply): void {
  setHeaders(req.raw, reply.raw, (err?: unknown) => { if (err) throw err; });
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
