// A real service for tests: a temporary database (SQLite file, or a fresh PostgreSQL schema),
// the real Redis under a queue prefix of its own, the real app and, when asked, a real worker.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import supertest from 'supertest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { Metrics } from '../../src/services/metrics.js';
import { ModelService } from '../../src/services/model-service.js';
import { initConfiguredBackend } from '../../src/training/backend.js';
import { TfjsInference } from '../../src/training/inference.js';
import { InferencePool } from '../../src/training/inference-pool.js';
import { createCore, type Core } from '../../src/wiring.js';
import { startTrialWorker } from '../../workers/trial-worker.js';
import { PG_URL } from './postgres.js';

// The test files take these from the harness, with startHarness.
export { PG_URL, postgresAvailable } from './postgres.js';
export { waitFor } from '../support/wait.js';

export interface Harness {
  config: Config;
  core: Core;
  app: App;
  request: ReturnType<typeof supertest>;
  /** The inference pool, with `inferenceThreads`. */
  pool?: InferencePool;
  startWorker(): Promise<void>;
  close(): Promise<void>;
}

/** `inferenceThreads`: predictions in an inference pool of that many threads, as the server runs them (default inline). */
export async function startHarness(db: 'sqlite' | 'postgres' = 'sqlite', env: Record<string, string> = {}, opts: { inferenceThreads?: number } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'hypertune-test-'));
  const schema = `t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const databaseUrl = db === 'sqlite' ? `file:${join(dir, 'test.db')}` : `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  // Rate limits and the running-searches quota off unless a test asks: a test file may create more
  // searches a minute (and keep more running) than the defaults allow.
  // And no spare trial process (TRIAL_SPARE_PROCESS): a test's searches are a few tiny trials, so
  // a spare started beside each would mostly be killed unused, its start-up taking CPU from the
  // trials (about +60 s over the suite). test/workers/run-child.test.ts and the fault tests, which
  // run workers as processes of their own, keep the default.
  const quiet = { RATE_LIMIT_SEARCHES_PER_MINUTE: '0', RATE_LIMIT_PREDICT_PER_MINUTE: '0', RATE_LIMIT_WRITES_PER_MINUTE: '0', SEARCH_QUOTA_RUNNING: '0', TRIAL_SPARE_PROCESS: 'false' };
  // Uploads wait in a folder of the test's own, which a test may check is emptied.
  const uploads = { DATASET_UPLOAD_DIR: join(dir, 'uploads') };
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', TRAINING_BACKEND: 'wasm', ...quiet, ...uploads, ...env, DATABASE_URL: databaseUrl, QUEUE_PREFIX: `test-${schema}` });
  const log = createLogger(config.logLevel, 'test');
  const core = await createCore(config, log);
  const backend = await initConfiguredBackend(config.trainingBackend, { threads: config.trainingThreads });
  const pool = opts.inferenceThreads ? new InferencePool({ size: opts.inferenceThreads, backend: backend.name, threadsEach: 1 }) : undefined;
  const metrics = new Metrics({ store: core.store, queue: core.queue });
  const models = new ModelService(core.store, pool ?? new TfjsInference(), { cacheSize: 2, maxInstances: config.maxPredictInstances, batch: config.predictBatch, onPass: (n) => metrics.observeBatch(n) });
  const app = buildApp({ searches: core.searches, datasets: core.datasets, models, apiKeys: core.apiKeys, metrics, health: async () => ({ database: { ok: true } }) },
    { logger: false, bodyLimit: config.bodyLimitBytes, bodyLimits: { search: config.searchBodyLimits, maxPredictInstances: config.maxPredictInstances }, auth: config.auth, rateLimits: config.rateLimits, events: { pollMs: config.eventsPollMs, maxStreamsPerKey: config.eventsMaxStreamsPerKey, maxStreams: config.eventsMaxStreams } });
  await app.ready();
  const workers: { close(): Promise<void> }[] = [];
  return {
    config, core, app, pool,
    request: supertest(app.server),
    async startWorker() {
      workers.push(await startTrialWorker(config, log));
    },
    async close() {
      for (const w of workers) await w.close();
      await app.close();
      await models.close();
      await pool?.close();
      await core.queue.queue.obliterate({ force: true }).catch(() => undefined);
      await core.close();
      if (db === 'postgres') {
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Makes the harness's app listen on a free loopback port (for a browser); returns its base URL. */
export async function listen(h: Harness): Promise<string> {
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
}
