// The only file that listens. `npm run api` runs it alone; workers/start-all.ts runs it beside a worker.
import { pathToFileURL } from 'node:url';
import { buildApp } from './app.js';
import { loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { reconcile } from './services/reconcile.js';
import { Metrics } from './services/metrics.js';
import { ModelService } from './services/model-service.js';
import { onShutdown } from './shutdown.js';
import { initConfiguredBackend } from './training/backend.js';
import { TfjsInference } from './training/inference.js';
import { InferencePool } from './training/inference-pool.js';
import { createCore, type Core } from './wiring.js';

/** `shared`: a core the caller owns (one process running API and worker); otherwise the API opens its own. */
export async function startApi(config: Config, log: Logger, shared?: Core) {
  const core = shared ?? await createCore(config, log);
  const backend = await initConfiguredBackend(config.trainingBackend, { threads: config.trainingThreads });
  const pool = config.predictThreads > 0 ? new InferencePool({
    size: config.predictThreads, backend: backend.name, threadsEach: Math.max(1, Math.floor(config.trainingThreads / config.predictThreads)), nice: config.predictThreadNice,
    onThreadExit: (err) => log.error({ err: err.message }, 'an inference thread died; it is replaced'),
  }) : undefined;
  log.info({ backend, predictThreads: pool?.size ?? 0 }, `predictions run on ${backend.name} (${backend.detail}), ${pool ? `in ${pool.size} worker threads` : 'on the event loop'}`);
  const metrics = new Metrics({ store: core.store, queue: core.queue });
  const models = new ModelService(core.store, pool ?? new TfjsInference(), {
    cacheSize: config.modelCacheSize, maxInstances: config.maxPredictInstances, batch: config.predictBatch, onPass: (images) => metrics.observeBatch(images),
  });
  const app = buildApp({
    searches: core.searches,
    datasets: core.datasets,
    models,
    apiKeys: core.apiKeys,
    metrics,
    // The three reads at once: a probe's latency is the slowest one's, not their sum.
    health: async () => {
      const [database, redis, workers] = await Promise.all([
        core.store.getSearchState('health-probe').then(() => ({ ok: true }), (e: Error) => ({ ok: false, error: e.message })),
        core.queue.counts().then((jobs) => ({ ok: true, jobs }), (e: Error) => ({ ok: false, error: e.message })),
        core.workers.list().then((list) => ({ ok: true, list }), (e: Error) => ({ ok: false, error: e.message })),
      ]);
      return { database, redis, inferenceBackend: { ...backend, predictThreads: pool?.size ?? 0 }, workers };
    },
  }, { logger: log, bodyLimit: config.bodyLimitBytes, bodyLimits: { search: config.searchBodyLimits, maxPredictInstances: config.maxPredictInstances }, auth: config.auth, rateLimits: config.rateLimits, events: { pollMs: config.eventsPollMs, maxStreamsPerKey: config.eventsMaxStreamsPerKey, maxStreams: config.eventsMaxStreams } });
  // Uploads a dead API left behind; not fatal: they are failed as they are read otherwise.
  await core.datasets.sweep().then(
    ({ failed, removed }) => { if (failed.length || removed.length) log.info({ failed, removed }, 'failed stale uploads and removed orphaned upload files'); },
    (err: Error) => log.warn({ err: err.message }, 'could not sweep stale uploads'),
  );
  log.info(config.auth.enabled ? 'authentication on: requests need an API key' : 'authentication off: single-user mode, no API keys');
  // The owner reconciles a shared core. Never steals a trial a live worker runs (see reconcile.ts).
  if (!shared) await reconcile(core.store, core.queue, core.scheduler, log, { trialStaleMs: config.faults.trialStaleMs });
  await app.listen({ port: config.port, host: config.host });
  return {
    app,
    async close() {
      await app.close();
      await models.close();
      await pool?.close();
      if (!shared) await core.close();
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const config = loadConfig();
  const log = createLogger(config.logLevel, 'api');
  const api = await startApi(config, log);
  onShutdown(log, api.close);
}
