// The composition root shared by the API and the workers: one store, one queue, one scheduler.
import { ApiKeyService } from './auth/api-keys.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { BullTrialQueue } from './queue/trial-queue.js';
import { WorkerRegistry } from './queue/worker-registry.js';
import { UploadRunner } from './datasets/upload-runner.js';
import { DatasetService } from './services/dataset-service.js';
import { Scheduler } from './services/scheduler.js';
import { SearchService } from './services/search-service.js';
import { migrate } from './store/migrate.js';
import { openPrismaStore } from './store/prisma-store.js';
import { deploymentPrecisionSupport } from './training/precision-support.js';
import type { Store } from './ports/store.js';

export interface Core {
  store: Store;
  /** The BullMQ adapter itself: services see it as the TrialQueue port; tests read its BullMQ jobs. */
  queue: BullTrialQueue;
  workers: WorkerRegistry;
  scheduler: Scheduler;
  searches: SearchService;
  /** Tenant keys; used by the API only (workers act for whichever tenant owns a trial). */
  apiKeys: ApiKeyService;
  /** Uploaded and built-in datasets: the API serves them, searches are checked against them. */
  datasets: DatasetService;
  /** Decodes uploads in a long-lived child process, one at a time. */
  uploads: UploadRunner;
  close(): Promise<void>;
}

export async function createCore(config: Config, log: Logger): Promise<Core> {
  // The API, worker and scheduler processes own the schema: each brings it up to date once, at start.
  await migrate(config.databaseUrl);
  const store = await openPrismaStore(config.databaseUrl);
  const queue = new BullTrialQueue(config.redisUrl, config.queuePrefix);
  const workers = new WorkerRegistry(config.redisUrl, config.queuePrefix);
  const scheduler = new Scheduler(store, queue, log);
  const uploads = new UploadRunner(store.datasets(), { databaseUrl: config.databaseUrl, maxBytes: config.datasetMaxBytes, uploadDir: config.datasetUploadDir, idleMs: config.datasetDecoderIdleMs, log });
  const datasets = new DatasetService(store.datasets(), {
    datasetDir: config.datasetDir, maxBytes: config.datasetMaxBytes, uploadDir: config.datasetUploadDir,
    quotas: { count: config.quotas.datasets, bytes: config.quotas.datasetBytes },
  }, uploads);
  const searches = new SearchService(store, scheduler, queue, config.limits, datasets, config.quotas, deploymentPrecisionSupport(config.trainingBackend));
  const apiKeys = new ApiKeyService(store.apiKeys(), config.auth.adminApiKey);
  return {
    store, queue, workers, scheduler, searches, apiKeys, datasets, uploads,
    async close() {
      await uploads.close();
      await queue.close();
      await workers.close();
      await store.close();
    },
  };
}
