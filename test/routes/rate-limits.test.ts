// Every write route is rate limited per key: past its class's limit it answers 429 in the error
// shape with Retry-After, naming the setting. The routes are read from the OpenAPI document, so a
// write route added later without a limit fails here. The counts are in Redis, under the prefix.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';

const ADMIN = `admin-key-${'r'.repeat(32)}`;
const LIMIT = 2;
/** The routes the issue names, which the document must hold (so the discovery below is not vacuous). */
const NAMED = [
  'POST /searches', 'POST /searches/{id}/trials', 'POST /searches/{id}/retrain', 'POST /searches/{id}/cancel',
  'POST /datasets', 'DELETE /datasets/{id}', 'POST /models/{id}/predict', 'POST /api-keys', 'DELETE /api-keys/{id}',
];
const SETTING: Record<string, string> = {
  'POST /searches': 'RATE_LIMIT_SEARCHES_PER_MINUTE',
  'POST /models/{id}/predict': 'RATE_LIMIT_PREDICT_PER_MINUTE',
};

describe('rate limits on every write route', () => {
  let h: Harness;
  let keys: string[];
  let writes: string[];
  beforeAll(async () => {
    const limit = String(LIMIT);
    h = await startHarness('sqlite', { ADMIN_API_KEY: ADMIN, RATE_LIMIT_SEARCHES_PER_MINUTE: limit, RATE_LIMIT_PREDICT_PER_MINUTE: limit, RATE_LIMIT_WRITES_PER_MINUTE: limit });
    // Issued through the service: POST /api-keys would spend the admin's budget on that route.
    keys = [(await h.core.apiKeys.create({ tenant: 'one', name: 'k' })).key, (await h.core.apiKeys.create({ tenant: 'two', name: 'k' })).key];
    const doc = (await h.request.get('/docs/json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    writes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).filter((m) => ['post', 'put', 'patch', 'delete'].includes(m)).map((m) => `${m.toUpperCase()} ${path}`));
  });
  afterAll(async () => { await h?.close(); });

  const send = (route: string, key: string) => {
    const [method, path] = route.split(' ');
    const url = path.replaceAll(/\{[^}]+\}/g, 'nope');
    const req = method === 'DELETE' ? h.request.delete(url) : h.request[method.toLowerCase() as 'post'](url).send({});
    // Key management is the admin's; everything else a tenant's.
    return req.set('authorization', `Bearer ${path.startsWith('/api-keys') ? ADMIN : key}`);
  };

  it('finds every write route the issue names', () => {
    expect(writes).toEqual(expect.arrayContaining(NAMED));
  });

  it(`answers 429 with Retry-After past ${LIMIT} a minute on each write route, per route and key`, async () => {
    for (const route of writes) {
      for (let i = 0; i < LIMIT; i++) {
        const res = await send(route, keys[0]);
        expect(res.status, `${route} #${i + 1}: ${res.text}`).not.toBe(429);
        expect(res.status, `${route} #${i + 1}: ${res.text}`).toBeLessThan(500);
        expect(res.headers['x-ratelimit-limit'], route).toBe(String(LIMIT));
      }
      const over = await send(route, keys[0]);
      expect(over.status, `${route}: ${over.text}`).toBe(429);
      expect(over.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { limit: LIMIT } });
      expect(over.body.error.message).toContain(`rate limit of ${LIMIT} requests per minute exceeded (${SETTING[route] ?? 'RATE_LIMIT_WRITES_PER_MINUTE'})`);
      const retryAfter = Number(over.headers['retry-after']);
      expect(retryAfter, route).toBeGreaterThan(0);
      expect(retryAfter, route).toBeLessThanOrEqual(60);
    }
    // The other tenant's key has budgets of its own.
    const other = await send('POST /searches/{id}/cancel', keys[1]);
    expect(other.status).toBe(404);
  });

  it('leaves reads unlimited', async () => {
    for (let i = 0; i < LIMIT + 3; i++) {
      const res = await h.request.get('/searches').set('authorization', `Bearer ${keys[0]}`).expect(200);
      expect(res.headers).not.toHaveProperty('x-ratelimit-limit');
    }
  });

  it('counts in Redis under the queue prefix', async () => {
    const redis = new Redis(h.config.redisUrl, { lazyConnect: true });
    try {
      await redis.connect();
      const stored = await redis.keys(`${h.config.queuePrefix}:rate-limit:*`);
      expect(stored).toContain(`${h.config.queuePrefix}:rate-limit:POST/searches/:id/cancel-${(await h.core.apiKeys.list({})).items.find((k) => k.tenant === 'one')!.id}`);
      await redis.del(...stored);
    } finally {
      redis.disconnect();
    }
  });
});
