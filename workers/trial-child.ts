// Child-process entry: trains one trial and exits. The trial is argv[2], or, for a spare the worker
// started ahead of time (run-child.ts), the first TrialMessage it sends: the spare has loaded its
// modules and the backend by then, opened the store and read the dataset of the trial its worker
// was running (argv[3], if any), so the trial starts without the ~3 s a cold process costs. Exit
// 0 means the trial reached a final state or was skipped; HANDED_BACK_EXIT_CODE that it stopped at
// an epoch boundary because the worker asked (shutdown); anything else is a crash worth a retry.
// TRAINING_BACKEND is the name the worker's probe resolved, so every trial of a worker runs on
// the same backend.
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { ReadAheadDatasets } from '../src/datasets/read-ahead.js';
import { DatasetService } from '../src/services/dataset-service.js';
import { TrialRunner } from '../src/services/trial-runner.js';
import { openPrismaStore } from '../src/store/prisma-store.js';
import { initConfiguredBackend } from '../src/training/backend.js';
import { TfjsTrainingEngine } from '../src/training/engine.js';
import { prepareInputs } from '../src/training/inputs.js';
import { HANDED_BACK_EXIT_CODE, READY_MESSAGE, SPARE_ARG, STOP_MESSAGE, type FinishedMessage, type TrialMessage } from './trial-protocol.js';

const config = loadConfig();
const log = createLogger(config.logLevel, 'trial');
let stopRequested = false;
let assigned: (id: string) => void = () => undefined;
const assignment = new Promise<string>((resolve) => { assigned = resolve; });
process.on('message', (m: typeof STOP_MESSAGE | TrialMessage) => {
  if (m === STOP_MESSAGE) stopRequested = true;
  else if (typeof m === 'object' && m?.trial) assigned(m.trial);
});
// The worker died (kill -9): nobody would record our exit, and its job will be retried elsewhere
// once its lock expires, so stop now rather than train beside the retry. Noticed at the next
// heartbeat or epoch boundary, when training lets the event loop run.
let trialId: string | undefined = process.argv[2] === SPARE_ARG ? undefined : process.argv[2];
process.on('disconnect', () => {
  if (trialId) log.warn({ trialId }, 'worker gone; trial process exits');
  process.exit(1);
});
let code = 0;
// When each step of this process ended (epoch ms; `start`: the process's own start), logged at
// debug when the trial ends: bench:trial reads them to split the overhead of a trial.
const marks: Record<string, number> = { start: Math.round(performance.timeOrigin) };
const mark = (step: string) => { marks[step] = Date.now(); };
// Ready before the trial is known: the backend (a spare waits here with it loaded).
const backend = await initConfiguredBackend(config.trainingBackend, { threads: config.trainingThreads, openMpWait: 'spin' }).catch((err: Error) => {
  log.error({ err, trialId }, 'trial process failed: its training backend did not start');
  return process.exit(1);
});
mark('backendReady');
// Not migrated here: the worker that spawned us did it at its start (createCore), so trial children
// never queue on the migration lock. A spare opens it before it is ready, so an idle spare holds a
// database connection (on PostgreSQL, one per worker).
const store = await openPrismaStore(config.databaseUrl).catch((err: Error) => {
  log.error({ err, trialId }, 'trial process failed: it could not open the store');
  return process.exit(1);
});
mark('storeOpen');
// Built-in datasets from DATASET_DIR, uploaded ones from the database.
const datasets = new ReadAheadDatasets(new DatasetService(store.datasets(), { datasetDir: config.datasetDir, maxBytes: config.datasetMaxBytes }), prepareInputs);
if (!trialId) {
  await readAhead(process.argv[3]);
  mark('readAhead');
  // A spare says so only now: a message sent before its listener existed could have been lost.
  process.send?.(READY_MESSAGE);
  trialId = await assignment;
  mark('assigned');
  // `ps` (and the fault tests) tell the trial's process from the next spare by its command line.
  process.title = `hypertune trial-child ${trialId}`;
}
try {
  const runner = new TrialRunner(store, new TfjsTrainingEngine(backend.name, datasets), log, datasets);
  const outcome = await runner.run(trialId, { stopRequested: () => stopRequested, heartbeatIntervalMs: config.faults.heartbeatIntervalMs });
  if (outcome === 'handed-back') code = HANDED_BACK_EXIT_CODE;
} catch (err) {
  log.error({ err, trialId }, 'trial process failed');
  code = 1;
} finally {
  mark('runEnd');
  process.send?.({ finished: code } satisfies FinishedMessage);
  await store.close();
}
mark('storeClosed');
log.debug({ trialId, marks }, 'trial process timings');
process.exit(code);

/**
 * What a spare can do before it knows its trial, guessing it is like `like` (the trial its worker
 * runs now; the next is most often of the same search): the store's first queries (Prisma prepares
 * each kind on first use), and that search's dataset, its pixels scaled as training takes them. A
 * wrong guess costs only the spare's time.
 */
async function readAhead(like: string | undefined): Promise<void> {
  try {
    const trial = await store.getTrial(like ?? '');
    const search = await store.getSearch(trial?.searchId ?? '');
    if (search) await datasets.readAhead(search.spec.dataset.id, search.spec.dataset.limit);
  } catch (err) {
    log.warn({ err, like }, 'spare trial process could not read ahead; the trial will read its data itself');
  }
}
