// Environment parsed and validated once at start; everything else receives a Config.
import os from 'node:os';
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
  trainingBackend: BackendSetting;
  /** CPU threads per trial for the native and wasm backends. */
  trainingThreads: number;
  workerConcurrency: number;
  /** BullMQ attempts per trial: the first run plus retries after a crash. */
  trialAttempts: number;
  /** How often a worker re-enqueues trials the database says are owed. */
  reconcileIntervalMs: number;
  logLevel: string;
  bodyLimitBytes: number;
  maxPredictInstances: number;
  modelCacheSize: number;
  limits: SearchLimits;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const int = (name: string, fallback: number, min = 0): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got '${raw}'`);
    return n;
  };
  const backend = env.TRAINING_BACKEND || 'auto';
  if (backend !== 'auto' && !isBackendName(backend)) {
    throw new Error(`TRAINING_BACKEND must be one of auto, ${BACKEND_NAMES.join(', ')}, got '${backend}'`);
  }
  return {
    port: int('PORT', 3000),
    host: env.HOST ?? '127.0.0.1',
    databaseUrl: env.DATABASE_URL ?? 'file:./data/hypertune.db',
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    queuePrefix: env.QUEUE_PREFIX ?? 'hypertune',
    datasetDir: env.DATASET_DIR ?? '/usr/share/datasets/fashion-mnist',
    trainingBackend: backend,
    trainingThreads: int('TRAINING_THREADS', os.availableParallelism(), 1),
    workerConcurrency: int('WORKER_CONCURRENCY', 1, 1),
    trialAttempts: int('TRIAL_ATTEMPTS', 3, 1),
    reconcileIntervalMs: int('RECONCILE_INTERVAL_MS', 30_000, 100),
    logLevel: env.LOG_LEVEL ?? 'info',
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 8 * 1024 * 1024, 1024),
    maxPredictInstances: int('MAX_PREDICT_INSTANCES', 256, 1),
    modelCacheSize: int('MODEL_CACHE_SIZE', 8, 1),
    limits: {
      maxTrialsPerSearch: int('MAX_TRIALS_PER_SEARCH', 1000, 1),
      maxEpochs: int('MAX_EPOCHS', 500, 1),
      maxParallelTrials: int('MAX_PARALLEL_TRIALS', 64, 1),
      maxParams: int('MAX_MODEL_PARAMS', 50_000_000, 1),
    },
  };
}

/** The settings a trial's child process needs, as environment (the inverse of loadConfig). */
export function childEnv(config: Config, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    DATABASE_URL: config.databaseUrl,
    REDIS_URL: config.redisUrl,
    QUEUE_PREFIX: config.queuePrefix,
    DATASET_DIR: config.datasetDir,
    TRAINING_BACKEND: config.trainingBackend,
    TRAINING_THREADS: String(config.trainingThreads),
    LOG_LEVEL: config.logLevel,
  };
}
