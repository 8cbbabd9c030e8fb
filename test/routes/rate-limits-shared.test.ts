// Two API processes (src/server.ts, as `npm run api` runs it) on one database, one Redis and one
// QUEUE_PREFIX share one rate-limit budget per route and key: N requests a minute spread over both
// are answered, the N+1th, on either, is 429 with Retry-After. Also /health's details for the admin
// key on the real server (its own check: database, Redis and its job counts, backend, workers).
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnScript } from '../support/node-script.js';
import { freePort } from '../support/ports.js';
import { stopChild } from '../support/process-tree.js';
import { waitFor } from '../support/wait.js';

const ADMIN = `admin-key-${'p'.repeat(32)}`;
const SEARCHES = 4;
const WRITES = 3;

describe('rate limits shared by two API processes', () => {
  const prefix = `test-shared-${randomUUID().slice(0, 8)}`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const dir = mkdtempSync(join(tmpdir(), 'hypertune-shared-'));
  const apis: { child: ChildProcess; base: string }[] = [];
  const keys: string[] = [];

  const call = (api: number, method: string, url: string, key: string, body?: unknown) =>
    fetch(apis[api].base + url, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.json() }));

  beforeAll(async () => {
    const env = {
      ...process.env, DATABASE_URL: `file:${join(dir, 'shared.db')}`, REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, ADMIN_API_KEY: ADMIN,
      RATE_LIMIT_SEARCHES_PER_MINUTE: String(SEARCHES), RATE_LIMIT_WRITES_PER_MINUTE: String(WRITES), RATE_LIMIT_PREDICT_PER_MINUTE: '0',
      SEARCH_QUOTA_RUNNING: '0', TRAINING_BACKEND: 'cpu', LOG_LEVEL: 'warn',
    };
    // One after the other: the first applies the migrations to the fresh database.
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      apis.push({ child: spawnScript('src/server.ts', { ...env, PORT: String(port) }), base });
      await waitFor(() => fetch(`${base}/health`).then((r) => r.ok, () => false), (up) => up, 120_000, `API process ${i + 1} to start`);
    }
    // The admin's POST /api-keys budget (WRITES, shared too): two of three.
    for (const [i, tenant] of ['one', 'two'].entries()) keys.push((await call(i, 'POST', '/api-keys', ADMIN, { tenant, name: 'k' })).body.key);
  }, 300_000);

  afterAll(async () => {
    await Promise.all(apis.map((a) => stopChild(a.child)));
    rmSync(dir, { recursive: true, force: true });
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      const stored = await redis.keys(`${prefix}:*`);
      if (stored.length) await redis.del(...stored);
    } finally {
      redis.disconnect();
    }
  }, 60_000);

  it(`POST /searches: ${SEARCHES} a minute over both processes, then 429 on either`, async () => {
    // An invalid body: nothing is created, but the request counts.
    const answers = [];
    for (let i = 0; i < SEARCHES; i++) answers.push((await call(i % 2, 'POST', '/searches', keys[0], {})).status);
    expect(answers).toEqual(Array(SEARCHES).fill(400));
    for (const api of [0, 1]) {
      const over = await call(api, 'POST', '/searches', keys[0], {});
      expect(over.status, `process ${api + 1}`).toBe(429);
      expect(over.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { limit: SEARCHES } });
      expect(Number(over.retryAfter)).toBeGreaterThan(0);
      expect(Number(over.retryAfter)).toBeLessThanOrEqual(60);
    }
    expect((await call(1, 'POST', '/searches', keys[1], {})).status).toBe(400); // another key, another budget
  });

  it(`POST /searches/:id/cancel and POST /api-keys: ${WRITES} a minute over both, then 429 on either`, async () => {
    const answers = [];
    for (let i = 0; i < WRITES; i++) answers.push((await call((i + 1) % 2, 'POST', '/searches/nope/cancel', keys[0])).status);
    expect(answers).toEqual(Array(WRITES).fill(404));
    for (const api of [0, 1]) {
      const over = await call(api, 'POST', '/searches/nope/cancel', keys[0]);
      expect(over.status, `process ${api + 1}`).toBe(429);
      expect(Number(over.retryAfter)).toBeGreaterThan(0);
    }
    // The admin issued two keys in beforeAll, one on each process: one more, then 429.
    expect((await call(1, 'POST', '/api-keys', ADMIN, { tenant: 'three', name: 'k' })).status).toBe(201);
    expect((await call(0, 'POST', '/api-keys', ADMIN, { tenant: 'four', name: 'k' })).status).toBe(429);
  });

  it("gives the admin key the real server's health report, and anyone else ok/degraded", async () => {
    const admin = await call(0, 'GET', '/health', ADMIN);
    expect(admin.status).toBe(200);
    expect(admin.body).toMatchObject({
      status: 'ok', database: { ok: true }, redis: { ok: true, jobs: expect.any(Object) },
      inferenceBackend: { name: 'cpu' }, workers: { ok: true, list: [] },
    });
    const tenant = await call(1, 'GET', '/health', keys[0]);
    expect(tenant.body).toEqual({ status: 'ok', database: 'ok', redis: 'ok', inferenceBackend: 'ok', workers: 'ok' });
  });
});
