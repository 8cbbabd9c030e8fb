// /health with a dependency down says only ok/degraded per component, to anyone (authentication
// on, with or without a key, or off): the driver's error text, which names hosts and internals,
// goes to the server log only.
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
    it(`answers 503 with ok/degraded only, authentication ${auth ? 'on' : 'off'}, and logs the error`, async () => {
      const lines: string[] = [];
      const log = createLogger('info', 'test', new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
      const health = async () => ({
        database: { ok: false, error: SECRET },
        redis: { ok: true, jobs: { waiting: 3 } },
        inferenceBackend: { name: 'wasm', detail: 'simd' },
      });
      const app = buildApp({ searches: h.core.searches, models: {} as ModelService, apiKeys: h.core.apiKeys, health }, { logger: log, bodyLimit: 1 << 20, auth: { enabled: auth } });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      try {
        for (const headers of [{} as Record<string, string>, { authorization: `Bearer ${key}` }, { authorization: `Bearer ${ADMIN}` }]) {
          const { result, maxHealthMs, probes } = await healthDuring(base, async () => {
            const r = await fetch(`${base}/health`, { headers });
            return { status: r.status, body: await r.json() };
          });
          console.log(`/health auth ${auth ? 'on' : 'off'}: health ${maxHealthMs.toFixed(0)} ms over ${probes} probes`);
          expect(result.status).toBe(503);
          expect(result.body).toEqual({ status: 'degraded', database: 'degraded', redis: 'ok', inferenceBackend: 'ok' });
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
