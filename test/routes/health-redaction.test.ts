// /health with a dependency down says only ok/degraded per component to anyone without the admin
// key (no key or a tenant key; authentication on or off): the driver's error text, which names
// hosts and internals, goes to the server log. The admin key gets each component's report: the
// error, the queue's counts, the prediction backend and the workers' list.
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import type { ModelService } from '../../src/services/model-service.js';
import { healthDuring } from '../helpers/event-loop-stall.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const ADMIN = `admin-key-${'h'.repeat(32)}`;
const SECRET = 'connect ECONNREFUSED 10.9.8.7:5432 (user hypertune_prod)';

describe('/health with the database down', () => {
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    h = await startHarness('sqlite', { ADMIN_API_KEY: ADMIN });
    key = (await h.request.post('/api-keys').set('authorization', `Bearer ${ADMIN}`).send({ tenant: 't', name: 'k' }).expect(201)).body.key;
  });
  afterAll(async () => { await h?.close(); });

  for (const auth of [true, false]) {
    it(`answers 503 with ok/degraded only but to the admin key, authentication ${auth ? 'on' : 'off'}, and logs the error`, async () => {
      const lines: string[] = [];
      const log = createLogger('info', 'test', new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
      const report = {
        database: { ok: false, error: SECRET },
        redis: { ok: true, jobs: { waiting: 3 } },
        inferenceBackend: { name: 'wasm', detail: 'simd' },
        workers: { ok: true, list: [{ id: 'w-1', backend: 'wasm', concurrency: 1 }] },
      };
      const health = async () => report;
      const app = buildApp({ searches: h.core.searches, models: {} as ModelService, apiKeys: h.core.apiKeys, health }, { logger: log, bodyLimit: 1 << 20, auth: { enabled: auth } });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      try {
        const states = { status: 'degraded', database: 'degraded', redis: 'ok', inferenceBackend: 'ok', workers: 'ok' };
        const asked: [string, Record<string, string>, object][] = [
          ['no key', {}, states],
          ['a tenant key', { authorization: `Bearer ${key}` }, states],
          ['a wrong key', { authorization: `Bearer ${ADMIN}x` }, states],
          ['the admin key', { authorization: `Bearer ${ADMIN}` }, { status: 'degraded', ...report }],
        ];
        for (const [who, headers, expected] of asked) {
          const { result, maxHealthMs, probes } = await healthDuring(base, async () => {
            const r = await fetch(`${base}/health`, { headers });
            return { status: r.status, body: await r.json() };
          });
          console.log(`/health auth ${auth ? 'on' : 'off'}, ${who}: health ${maxHealthMs.toFixed(0)} ms over ${probes} probes`);
          expect(result.status, who).toBe(503);
          expect(result.body, who).toEqual(expected);
          expect(probes).toBeGreaterThan(0);
          expect(maxHealthMs).toBeLessThan(250);
        }
        expect(lines.join('')).toContain(SECRET);
      } finally {
        await app.close();
      }
    });
  }
});

describe('/health with everything up', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness('sqlite', { ADMIN_API_KEY: ADMIN }); });
  afterAll(async () => { await h?.close(); });

  it('gives the admin key the workers and queue counts, and anyone else ok only', async () => {
    const report = { database: { ok: true }, redis: { ok: true, jobs: { waiting: 0, active: 1 } }, workers: { ok: true, list: [{ id: 'w-2', backend: 'cpu' }] } };
    const app = buildApp({ searches: h.core.searches, models: {} as ModelService, apiKeys: h.core.apiKeys, health: async () => report }, { logger: false, bodyLimit: 1 << 20, auth: { enabled: true } });
    try {
      const admin = await app.inject({ url: '/health', headers: { authorization: `Bearer ${ADMIN}` } });
      expect(admin.statusCode).toBe(200);
      expect(admin.json()).toEqual({ status: 'ok', ...report });
      const anyone = await app.inject({ url: '/health' });
      expect(anyone.json()).toEqual({ status: 'ok', database: 'ok', redis: 'ok', workers: 'ok' });
    } finally {
      await app.close();
    }
  });
});
