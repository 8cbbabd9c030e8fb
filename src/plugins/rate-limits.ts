// Per-key rate limits on every write route, counted in Redis so that all the API processes of a
// deployment share one budget. A route names its class in its options (`config: { rateLimited:
// 'writes' }`); the settings give each class its requests per minute, counted per route and key
// (the tenant key's id, 'admin', or the client address with authentication off). The counting hook
// is the route's own onRequest hook, so it runs after authentication and before the body is read.
import { once } from 'node:events';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { RateLimitedError } from '../auth/errors.js';
import { appWide } from './plugin.js';

export type RateLimitClass = 'searches' | 'predict' | 'writes';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Limits the route to its class's requests per minute per key (RATE_LIMIT_*_PER_MINUTE). */
    rateLimited?: RateLimitClass;
  }
}

export interface RateLimitSettings {
  searchesPerMinute: number;
  predictPerMinute: number;
  writesPerMinute: number;
  /** Where the counts live. Without it each process counts on its own (an app built alone in a test). */
  redis?: { url: string; keyPrefix: string };
}

const SETTING: Record<RateLimitClass, { perMinute: (s: RateLimitSettings) => number; env: string }> = {
  searches: { perMinute: (s) => s.searchesPerMinute, env: 'RATE_LIMIT_SEARCHES_PER_MINUTE' },
  predict: { perMinute: (s) => s.predictPerMinute, env: 'RATE_LIMIT_PREDICT_PER_MINUTE' },
  writes: { perMinute: (s) => s.writesPerMinute, env: 'RATE_LIMIT_WRITES_PER_MINUTE' },
};

/** How long a count may take before the request goes through uncounted (Redis hanging). */
const REDIS_TIMEOUT_MS = 500;

export const rateLimitsPlugin = appWide('hypertune-rate-limits', async (app: FastifyInstance, { settings }: { settings?: RateLimitSettings }) => {
  const perMinute = (c: RateLimitClass) => (settings ? SETTING[c].perMinute(settings) : 0);
  // Runs before @fastify/rate-limit's own onRoute hook (registered below): turns a class into its options.
  app.addHook('onRoute', (route) => {
    const cls = route.config?.rateLimited;
    if (cls === undefined) return;
    if (!(cls in SETTING)) throw new Error(`route ${route.method} ${route.url}: unknown rate limit class '${cls}'`);
    const max = perMinute(cls);
    route.config = { ...route.config, rateLimit: max > 0 ? { max, timeWindow: 60_000 } : false };
  });
  if (!settings || !(Object.keys(SETTING) as RateLimitClass[]).some((c) => perMinute(c) > 0)) return;
  const redis = settings.redis ? await connect(app, settings.redis.url) : undefined;
  await app.register(rateLimit, {
    global: false, // only routes that name a class are limited
    redis,
    nameSpace: settings.redis?.keyPrefix,
    // Redis unreachable: the request goes through uncounted. Failing closed would stop every write,
    // predictions included, that do not need Redis; the quotas in the database still hold meanwhile.
    skipOnError: true,
    keyGenerator: (req) => req.apiKeyId ?? `ip:${req.ip}`,
    errorResponseBuilder: (req, ctx) => {
      const setting = SETTING[req.routeOptions.config.rateLimited ?? 'writes'].env;
      return new RateLimitedError(`rate limit of ${ctx.max} requests per minute exceeded (${setting}); retry in ${ctx.after}`, { limit: ctx.max, retryAfterMs: ctx.ttl });
    },
  });
});

/** A client that fails at once while Redis is unreachable (no offline queue) and after REDIS_TIMEOUT_MS while it hangs. */
async function connect(app: FastifyInstance, url: string): Promise<Redis> {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: REDIS_TIMEOUT_MS });
  let down = false;
  let closing = false;
  // Once per outage: a lost connection ('close') or one that cannot be made ('error', every retry).
  const lost = (err?: Error) => {
    if (!down && !closing) app.log.warn({ err }, 'rate limits: Redis unreachable, requests go through uncounted until it is back');
    down = true;
  };
  redis.on('error', lost);
  redis.on('close', () => lost());
  redis.on('ready', () => {
    if (down) app.log.info('rate limits: Redis is back, requests are counted again');
    down = false;
  });
  app.addHook('onClose', async () => { closing = true; redis.disconnect(); });
  // Counted from the first request when Redis answers; one refusing connections does not delay the
  // start, one that hangs delays it by 1 s at most.
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 1000);
  const event = (name: string) => once(redis, name, { signal: ac.signal }).catch(() => undefined);
  await Promise.race([event('ready'), event('close')]);
  clearTimeout(timer);
  ac.abort();
  return redis;
}
