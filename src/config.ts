// Environment parsed and validated once at start; everything else receives a Config.
import os from 'node:os';
import { join } from 'node:path';
import type { SearchLimits } from './domain/search-spec.js';
import { BACKEND_NAMES, isBackendName, type BackendSetting } from './training/backend-names.js';

export type { BackendSetting } from './training/backend-names.js';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string;
  /** BullMQ key prefix: lets several deployments (or test runs) share one Redis. */
  queuePrefix: string;
  datasetDir: string;
  /** POST /datasets: the most bytes an upload may send, and again the most its decoded pixels may take. */
  datasetMaxBytes: number;
  /** POST /datasets streams the files here (a folder per upload) until the decoding process has read them. */
  datasetUploadDir: string;
  /** How long the upload decoding process waits for another upload before it exits. */
  datasetDecoderIdleMs: number;
  trainingBackend: BackendSetting;
  /** CPU threads per trial for the native and wasm backends. */
  trainingThreads: number;
  workerConcurrency: number;
  /** Keep one trial process started ahead (TRIAL_SPARE_PROCESS), so a trial does not wait for a cold start. */
  trialSpareProcess: boolean;
  /** Run trial processes from a bundle built at the worker's start (TRIAL_CHILD_BUNDLE), not through tsx. */
  trialChildBundle: boolean;
  /** How often a worker re-enqueues trials the database says are owed. */
  reconcileIntervalMs: number;
  /** The scheduler process (npm run scheduler): how often it lets every unfinished search plan. */
  schedulerIntervalMs: number;
  /** Faults and recovery (README): BullMQ job lock and stalled-job check, trial heartbeats, shutdown. */
  faults: { lockDurationMs: number; stalledIntervalMs: number; heartbeatIntervalMs: number; trialStaleMs: number; shutdownGraceMs: number };
  logLevel: string;
  /** The ceiling on any request's body (each route has its own lower limit: src/plugins/body-limits.ts). */
  bodyLimitBytes: number;
  /** POST /searches and its warm start (POST /searches/:id/trials): bytes and JSON values of a body. */
  searchBodyLimits: { bytes: number; values: number };
  maxPredictInstances: number;
  modelCacheSize: number;
  /** Dynamic batching of concurrent predictions per model: images in one forward pass at most, and how long the oldest request waits for more (0: at once). */
  predictBatch: { maxImages: number; waitMs: number };
  /** Worker threads that run predictions off the event loop (0: on the event loop itself), and their niceness. */
  predictThreads: number;
  predictThreadNice: number;
  limits: SearchLimits;
  /** Off: one embedded user, no keys. On: every request needs a key (see src/auth/). */
  auth: { enabled: boolean; adminApiKey: string | null };
  /**
   * Requests per minute per route and API key (per client IP with auth off); 0 turns a limit off.
   * Counted in Redis under `keyPrefix`, so every API process of a deployment shares them.
   */
  rateLimits: { predictPerMinute: number; searchesPerMinute: number; writesPerMinute: number; redis: { url: string; keyPrefix: string } };
  /** Per tenant (the null tenant with auth off): searches running at once; uploaded datasets (processing or ready) and their bytes. 0 turns a quota off. */
  quotas: { runningSearches: number; datasets: number; datasetBytes: number };
  /** How often GET /searches/:id/events polls the store for new progress. */
  eventsPollMs: number;
  /** Open GET /searches/:id/events streams per API key, and in all, per API process. */
  eventsMaxStreamsPerKey: number;
  eventsMaxStreams: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const int = (name: string, fallback: number, min = 0): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got '${raw}'`);
    return n;
  };
  const bool = (name: string): boolean | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new Error(`${name} must be true or false, got '${raw}'`);
  };
  const adminApiKey = env.ADMIN_API_KEY || null;
  // A short admin key could be guessed; the tenant keys we issue carry 256 random bits.
  if (adminApiKey !== null && adminApiKey.length < 32) throw new Error('ADMIN_API_KEY must be at least 32 characters');
  const backend = env.TRAINING_BACKEND || 'auto';
  if (backend !== 'auto' && !isBackendName(backend)) {
    throw new Error(`TRAINING_BACKEND must be one of auto, ${BACKEND_NAMES.join(', ')}, got '${backend}'`);
  }
  const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const queuePrefix = env.QUEUE_PREFIX ?? 'hypertune';
  return {
    port: int('PORT', 3000),
    host: env.HOST ?? '127.0.0.1',
    databaseUrl: env.DATABASE_URL ?? 'file:./data/hypertune.db',
    redisUrl,
    queuePrefix,
    datasetDir: env.DATASET_DIR ?? '/usr/share/datasets/fashion-mnist',
    datasetMaxBytes: int('DATASET_MAX_BYTES', 200 * 1024 * 1024, 1024),
    datasetUploadDir: env.DATASET_UPLOAD_DIR || join(os.tmpdir(), 'hypertune-uploads'),
    datasetDecoderIdleMs: int('DATASET_DECODER_IDLE_MS', 30_000),
    trainingBackend: backend,
    trainingThreads: int('TRAINING_THREADS', os.availableParallelism(), 1),
    workerConcurrency: int('WORKER_CONCURRENCY', 1, 1),
    trialSpareProcess: bool('TRIAL_SPARE_PROCESS') ?? true,
    trialChildBundle: bool('TRIAL_CHILD_BUNDLE') ?? true,
    reconcileIntervalMs: int('RECONCILE_INTERVAL_MS', 30_000, 100),
    schedulerIntervalMs: int('SCHEDULER_INTERVAL_MS', 5_000, 100),
    faults: faultSettings(int),
    logLevel: env.LOG_LEVEL ?? 'info',
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 8 * 1024 * 1024, 1024),
    searchBodyLimits: { bytes: int('SEARCH_BODY_LIMIT_BYTES', 256 * 1024, 1024), values: int('SEARCH_BODY_MAX_VALUES', 32_768, 64) },
    maxPredictInstances: int('MAX_PREDICT_INSTANCES', 256, 1),
    modelCacheSize: int('MODEL_CACHE_SIZE', 8, 1),
    predictBatch: { maxImages: int('PREDICT_BATCH_MAX', 64, 1), waitMs: int('PREDICT_BATCH_WAIT_MS', 2) },
    predictThreads: int('PREDICT_THREADS', os.availableParallelism()),
    predictThreadNice: Math.min(int('PREDICT_THREAD_NICE', 5), 19), // Linux's lowest priority is 19
    limits: {
      maxTrialsPerSearch: int('MAX_TRIALS_PER_SEARCH', 1000, 1),
      maxEpochs: int('MAX_EPOCHS', 500, 1),
      maxParallelTrials: int('MAX_PARALLEL_TRIALS', 64, 1),
      maxParams: int('MAX_MODEL_PARAMS', 50_000_000, 1),
      maxBatchMemoryMb: int('MAX_BATCH_MEMORY_MB', 4096, 1),
    },
    // Setting an admin key turns authentication on unless AUTH_ENABLED says otherwise.
    auth: { enabled: bool('AUTH_ENABLED') ?? adminApiKey !== null, adminApiKey },
    rateLimits: {
      predictPerMinute: int('RATE_LIMIT_PREDICT_PER_MINUTE', 600),
      searchesPerMinute: int('RATE_LIMIT_SEARCHES_PER_MINUTE', 30),
      writesPerMinute: int('RATE_LIMIT_WRITES_PER_MINUTE', 60),
      // Under the queue prefix: deployments (and test runs) sharing a Redis keep their own counts.
      redis: { url: redisUrl, keyPrefix: `${queuePrefix}:rate-limit:` },
    },
    quotas: {
      runningSearches: int('SEARCH_QUOTA_RUNNING', 10),
      datasets: int('DATASET_QUOTA_COUNT', 20),
      datasetBytes: int('DATASET_QUOTA_BYTES', 2 * 1024 ** 3),
    },
    eventsPollMs: int('EVENTS_POLL_MS', 1000, 50),
    eventsMaxStreamsPerKey: int('EVENTS_MAX_STREAMS_PER_KEY', 10, 1),
    eventsMaxStreams: int('EVENTS_MAX_STREAMS', 1000, 1),
  };
}

function faultSettings(int: (name: string, fallback: number, min?: number) => number): Config['faults'] {
  const heartbeatIntervalMs = int('HEARTBEAT_INTERVAL_MS', 10_000, 100);
  const trialStaleMs = int('TRIAL_STALE_MS', 120_000, 200);
  // A trial alive but between two heartbeats must never look stale.
  if (trialStaleMs < 2 * heartbeatIntervalMs) throw new Error(`TRIAL_STALE_MS (${trialStaleMs}) must be at least twice HEARTBEAT_INTERVAL_MS (${heartbeatIntervalMs})`);
  return {
    lockDurationMs: int('LOCK_DURATION_MS', 30_000, 100),
    stalledIntervalMs: int('STALLED_INTERVAL_MS', 30_000, 100),
    heartbeatIntervalMs,
    trialStaleMs,
    shutdownGraceMs: int('SHUTDOWN_GRACE_MS', 60_000, 0),
  };
}

/** The settings a trial's child process needs, as environment (the inverse of loadConfig). */
export function childEnv(config: Config, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  // Training children never authenticate anyone: the admin key stays in the process that needs it.
  const { ADMIN_API_KEY: _adminKey, ...inherited } = base;
  return {
    ...inherited,
    DATABASE_URL: config.databaseUrl,
    REDIS_URL: config.redisUrl,
    QUEUE_PREFIX: config.queuePrefix,
    DATASET_DIR: config.datasetDir,
    TRAINING_BACKEND: config.trainingBackend,
    TRAINING_THREADS: String(config.trainingThreads),
    LOG_LEVEL: config.logLevel,
    HEARTBEAT_INTERVAL_MS: String(config.faults.heartbeatIntervalMs),
    TRIAL_STALE_MS: String(config.faults.trialStaleMs),
  };
}
