// Child-process entry: trains one trial (argv[2]) and exits. Exit 0 means the trial reached a
// final state or was skipped; HANDED_BACK_EXIT_CODE that it stopped at an epoch boundary because
// the worker asked (shutdown); anything else is a crash worth a retry. TRAINING_BACKEND is the
// name the worker's probe resolved, so every trial of a worker runs on the same backend.
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { DatasetService } from '../src/services/dataset-service.js';
import { TrialRunner } from '../src/services/trial-runner.js';
import { openPrismaStore } from '../src/store/prisma-store.js';
import { initConfiguredBackend } from '../src/training/backend.js';
import { TfjsTrainingEngine } from '../src/training/engine.js';
import { HANDED_BACK_EXIT_CODE, STOP_MESSAGE } from './run-child.js';

const trialId = process.argv[2];
const config = loadConfig();
const log = createLogger(config.logLevel, 'trial');
let stopRequested = false;
process.on('message', (m) => { if (m === STOP_MESSAGE) stopRequested = true; });
// The worker died (kill -9): nobody would record our exit, and its job will be retried elsewhere
// once its lock expires, so stop now rather than train beside the retry. Noticed at the next
// heartbeat or epoch boundary, when training lets the event loop run.
process.on('disconnect', () => {
  log.warn({ trialId }, 'worker gone; trial process exits');
  process.exit(1);
});
let code = 0;
// Not migrated here: the worker that spawned us did it at its start (createCore), so trial
// children never queue on the migration lock.
const store = await openPrismaStore(config.databaseUrl);
try {
  const backend = await initConfiguredBackend(config.trainingBackend, { threads: config.trainingThreads });
  // Built-in datasets from DATASET_DIR, uploaded ones from the database.
  const datasets = new DatasetService(store.datasets(), { datasetDir: config.datasetDir, maxBytes: config.datasetMaxBytes });
  const runner = new TrialRunner(store, new TfjsTrainingEngine(backend.name, datasets), log, datasets);
  const outcome = await runner.run(trialId, { stopRequested: () => stopRequested, heartbeatIntervalMs: config.faults.heartbeatIntervalMs });
  if (outcome === 'handed-back') code = HANDED_BACK_EXIT_CODE;
} catch (err) {
  log.error({ err, trialId }, 'trial process failed');
  code = 1;
} finally {
  await store.close();
}
process.exit(code);
