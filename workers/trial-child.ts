// Child-process entry: trains one trial (argv[2]) and exits. Exit 0 means the trial reached a
// final state or was skipped; non-zero means a crash worth a retry. TRAINING_BACKEND is the name
// the worker's probe resolved, so every trial of a worker runs on the same backend.
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { TrialRunner } from '../src/services/trial-runner.js';
import { PrismaStore } from '../src/store/prisma-store.js';
import { initConfiguredBackend } from '../src/training/backend.js';
import { TfjsTrainingEngine } from '../src/training/engine.js';

const trialId = process.argv[2];
const config = loadConfig();
const log = createLogger(config.logLevel, 'trial');
let code = 0;
const store = await PrismaStore.open(config.databaseUrl);
try {
  const backend = await initConfiguredBackend(config.trainingBackend, { threads: config.trainingThreads });
  const outcome = await new TrialRunner(store, new TfjsTrainingEngine(backend.name, config.datasetDir), log).run(trialId);
  process.send?.({ outcome });
} catch (err) {
  log.error({ err, trialId }, 'trial process failed');
  code = 1;
} finally {
  await store.close();
}
process.exit(code);
