// Rate limits per key, security headers (Swagger UI still working under the CSP), error bodies
// without internals, and logs without secrets.
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import helmet from 'helmet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import type { ModelService } from '../../src/services/model-service.js';
import type { SearchService } from '../../src/services/search-service.js';
import { referenceSearch } from '../fixtures/reference-search.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const ADMIN = `admin-key-${'s'.repeat(32)}`;

describe('rate limits', () => {
  let h: Harness;
  const keys: string[] = [];
  beforeAll(async () => {
    h = await startHarness('sqlite', { ADMIN_API_KEY: ADMIN, RATE_LIMIT_SEARCHES_PER_MINUTE: '2', RATE_LIMIT_PREDICT_PER_MINUTE: '3' });
    for (const tenant of ['one', 'two'])
      keys.push((await h.request.post('/api-keys').set('authorization', `Bearer ${ADMIN}`).send({ tenant, name: 'k' }).expect(201)).body.key);
  });
  afterAll(async () => { await h?.close(); });
  const as = (i: number) => `Bearer ${keys[i]}`;

  it('limits search creation per key with a 429 in the error shape', async () => {
    const bad = { ...referenceSearch(), colour: 'red' }; // rejected, so nothing is created, but it counts
    for (let i = 0; i < 2; i++) await h.request.post('/searches').set('authorization', as(0)).send(bad).expect(400);
    const res = await h.request.post('/searches').set('authorization', as(0)).send(bad).expect(429);
    expect(res.body.error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/2 requests per minute exceeded \(RATE_LIMIT_SEARCHES_PER_MINUTE\)/) });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    await h.request.post('/searches').set('authorization', as(1)).send(bad).expect(400); // another key has its own budget
    await h.request.get('/searches').set('authorization', as(0)).expect(200); // reads are not limited
  });

  it('limits predictions per key', async () => {
    for (let i = 0; i < 3; i++) await h.request.post('/models/nope/predict').set('authorization', as(1)).send({ instances: [[]] }).expect(404);
    expect((await h.request.post('/models/nope/predict').set('authorization', as(1)).send({ instances: [[]] }).expect(429)).body.error.code).toBe('RATE_LIMITED');
    await h.request.post('/models/nope/predict').set('authorization', as(0)).send({ instances: [[]] }).expect(404);
  });

  it('has defaults, counts in Redis under the queue prefix, and 0 turns a limit off', async () => {
    const { loadConfig } = await import('../../src/config.js');
    expect(loadConfig({}).rateLimits).toEqual({
      predictPerMinute: 600, searchesPerMinute: 30, writesPerMinute: 60, redis: { url: 'redis://127.0.0.1:6379', keyPrefix: 'hypertune:rate-limit:' },
    });
    expect(loadConfig({ QUEUE_PREFIX: 'other', REDIS_URL: 'redis://r:1' }).rateLimits.redis).toEqual({ url: 'redis://r:1', keyPrefix: 'other:rate-limit:' });
    expect(loadConfig({ RATE_LIMIT_PREDICT_PER_MINUTE: '0' }).rateLimits.predictPerMinute).toBe(0);
    expect(loadConfig({}).quotas).toEqual({ runningSearches: 10, datasets: 20, datasetBytes: 2 * 1024 ** 3 });
    expect(() => loadConfig({ RATE_LIMIT_WRITES_PER_MINUTE: '-1' })).toThrow(/RATE_LIMIT_WRITES_PER_MINUTE must be an integer >= 0/);
  });
});

describe('headers and error bodies', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(); });
  afterAll(async () => { await h?.close(); });

  it('sends security headers on API answers', async () => {
    const res = await h.request.get('/searches').expect(200);
    expect(res.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN', 'referrer-policy': 'no-referrer' });
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(res.headers['content-security-policy']).not.toMatch(/upgrade-insecure-requests/);
    expect(res.headers).not.toHaveProperty('x-powered-by');
  });

  it('sends every header helmet itself would, with the same values, on answers and errors alike', async () => {
    // Helmet run as a middleware on a real response: the headers worked out once must match it.
    const raw = new ServerResponse(new IncomingMessage(new Socket()));
    helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } })(raw.req, raw, () => undefined);
    const expected = Object.fromEntries(Object.entries(raw.getHeaders()).map(([k, v]) => [k, String(v)]));
    expect(Object.keys(expected).length).toBeGreaterThan(10);
    for (const res of [await h.request.get('/searches').expect(200), await h.request.get('/models/nope').expect(404), await h.request.post('/searches').send({}).expect(400)]) {
      expect(res.headers).toMatchObject(expected);
    }
  });

  it('keeps Swagger UI working under the CSP: it loads only same-origin scripts, no inline ones', async () => {
    const page = await h.request.get('/docs/').redirects(1).expect(200);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, inline] of scripts) {
      expect(attrs).toMatch(/src="\.\/[^"]+"/);
      expect(inline.trim()).toBe('');
      const src = /src="\.\/([^"]+)"/.exec(attrs)![1];
      await h.request.get(`/docs/${src}`).expect(200);
    }
  });

  it('names the field and the rule for text the database cannot hold', async () => {
    const res = await h.request.post('/searches').send({ ...referenceSearch(), name: 'a\u0000b' }).expect(400);
    expect(res.body.error.message).toBe('name: must be text without NUL characters or unpaired surrogates');
    expect((await h.request.get('/searches/..%2F..%2Fetc%2Fpasswd').expect(400)).body.error.message).toMatch(/^params\.id: must be letters, digits/);
    const search = referenceSearch();
    search.hyperparameters.push({ name: 'tag', type: 'choice', values: ['ok', '\ud800'] });
    const hp = await h.request.post('/searches').send(search).expect(400);
    expect(hp.body.error.message).toMatch(/^hyperparameters\[6\]\.values\[1\]/);
  });

  it('hides stack traces and internal paths: a 5xx says only that it failed', async () => {
    const boom = () => { throw new Error(`ENOENT: no such file, open '${process.cwd()}/data/x.db'`); };
    const app = buildApp({ searches: { list: boom } as unknown as SearchService, models: {} as ModelService, health: async () => ({}) }, { logger: false, bodyLimit: 1024 });
    const res = await app.inject({ method: 'GET', url: '/searches' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'INTERNAL', message: 'internal server error' } });
    for (const url of ['/searches', '/nothing']) {
      const bad = await app.inject({ method: 'POST', url, payload: '{"x":', headers: { 'content-type': 'application/json' } });
      expect(bad.statusCode).toBeLessThan(500);
      expect(bad.payload).not.toMatch(/stack|\/src\/|node_modules|at .*:\d+/);
    }
    await app.close();
  });
});

describe('logs', () => {
  it('never carry API keys or the Authorization header', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const log = createLogger('trace', 'test', sink);
    const h = await startHarness('sqlite', { ADMIN_API_KEY: ADMIN });
    const app = buildApp({ searches: h.core.searches, models: {} as ModelService, apiKeys: h.core.apiKeys, health: async () => ({}) },
      { logger: log, bodyLimit: 1 << 20, auth: { enabled: true } });
    try {
      const created = await app.inject({ method: 'POST', url: '/api-keys', payload: { tenant: 't', name: 'n' }, headers: { authorization: `Bearer ${ADMIN}` } });
      const key = created.json().key as string;
      await app.inject({ method: 'GET', url: '/searches', headers: { authorization: `Bearer ${key}` } });
      await app.inject({ method: 'GET', url: '/searches', headers: { authorization: `Bearer ${key}x` } });
      // Anything that logs a request's headers, or a key, is censored by the logger itself.
      log.info({ req: { headers: { authorization: `Bearer ${key}` } }, apiKey: key, config: { adminApiKey: ADMIN } }, 'careless line');
      const all = lines.join('');
      expect(all).toContain('incoming request');
      expect(all).toContain('careless line');
      expect(all).not.toContain(key.slice(4));
      expect(all).not.toContain(ADMIN);
      expect(all).toContain('[redacted]');
    } finally {
      await app.close();
      await h.close();
    }
  });
});
