// Security headers (helmet) and per-key rate limits on the expensive requests. Registered before
// the routes, app-wide, so both see every route; the auth plugin runs first (its onRequest hook is
// app-level, the rate limits' are per route), so a limit counts a key, not an address.
import helmet from '@fastify/helmet';
import rateLimit, { type RateLimitOptions } from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { RateLimitedError } from '../auth/errors.js';
import { appWide } from './plugin.js';

export const securityPlugin = appWide('hypertune-security', async (app: FastifyInstance) => {
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        // Helmet's defaults suit Swagger UI at /docs (same-origin scripts, inline styles, data:
        // images), except upgrade-insecure-requests, which would break it behind plain HTTP.
        upgradeInsecureRequests: null,
      },
    },
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
