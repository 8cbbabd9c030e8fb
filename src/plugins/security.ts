// Security headers (helmet) on every response and per-key rate limits on the expensive requests.
// Registered before the auth plugin: its onRequest hook must run before auth can answer 401, and
// errors Fastify raises before any hook (a URL that does not decode) get the headers through
// withSecurityHeaders. The rate limits' hooks are per route, so they still run after auth and
// count a key, not an address.
import rateLimit, { type RateLimitOptions } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import { RateLimitedError } from '../auth/errors.js';
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
  // In-process counters: each API process limits on its own (documented in the README).
  await app.register(rateLimit, {
    global: false, // only routes that ask (config.rateLimit) are limited
    keyGenerator: (req) => req.apiKeyId ?? `ip:${req.ip}`,
    errorResponseBuilder: (_req, ctx) =>
      new RateLimitedError(`rate limit of ${ctx.max} requests per minute exceeded; retry in ${ctx.after}`, { limit: ctx.max, retryAfterMs: ctx.ttl }),
  });
});

/** A route's limit: `perMinute` requests a minute per key; 0 means no limit. */
export function perMinute(perMinute: number): RateLimitOptions | false {
  return perMinute > 0 ? { max: perMinute, timeWindow: 60_000 } : false;
}
