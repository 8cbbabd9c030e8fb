// One measurement of bench/epochs.ts in a fresh process: a trial of one configuration through the
// real TrialRunner (SQLite store in a temp dir, Fashion-MNIST from disk, validation split 0.1,
// batch 32, per-epoch metrics and checkpoints written to the store, artifact saved), as a worker
// runs it. The store is the real one; its saveCheckpoint is only timed on the way through.
// Prints one JSON line. HYPERTUNE_DIRECT_STEP=off compares against tfjs' own train step. Usage: epochs-child.ts BACKEND CONFIG LIMIT EPOCHS THREADS [SEED (the search's; 42)] [PRECISION (fp32)]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { parseConfig, toHyperparameters } from './epoch-configs.js';
import { referenceSearch } from '../test/fixtures/reference-search.js';
import { BuiltinDatasets } from '../src/datasets/builtin.js';
import { isPrecision } from '../src/domain/precision.js';
import { normalizeSpec } from '../src/domain/search-spec.js';
import { TrialRunner } from '../src/services/trial-runner.js';
import { migrate } from '../src/store/migrate.js';
import { openPrismaStore } from '../src/store/prisma-store.js';
import { initBackend, isBackendName } from '../src/training/backend.js';
import { setDirectSteps } from '../src/training/direct-step-route.js';
import { TfjsTrainingEngine } from '../src/training/engine.js';

const [backendName, configArg, limitArg, epochsArg, threadsArg, seedArg = '42', precision = 'fp32'] = process.argv.slice(2);
if (!isBackendName(backendName)) throw new Error(`unknown backend '${backendName}'`);
if (!isPrecision(precision)) throw new Error(`unknown precision '${precision}'`);
const config = parseConfig(configArg);
// HYPERTUNE_DIRECT_STEP=off: tfjs' own train function even where a direct step covers the model (A/B).
setDirectSteps(process.env.HYPERTUNE_DIRECT_STEP !== 'off');
const datasetDir = process.env.DATASET_DIR ?? '/usr/share/datasets/fashion-mnist';
const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-epochs-'));
const url = `file:${path.join(dir, 'bench.db')}`;
await migrate(url);
const store = await openPrismaStore(url);
try {
  const backend = await initBackend(backendName, { threads: Number(threadsArg), openMpWait: 'spin' }); // as a trial's process
  const spec = normalizeSpec({
    ...referenceSearch(), algorithm: { name: 'random', seed: Number(seedArg) }, dataset: { id: 'fashion-mnist', limit: Number(limitArg) },
    // training.precision only when not the default, as a client that leaves it out stores it.
    training: { epochs: Number(epochsArg), batchSize: 32, validationSplit: 0.1, ...(precision !== 'fp32' && { precision }) }, budget: { maxTrials: 1, maxParallelTrials: 1 },
  }, () => 1);
  await store.createSearch({ id: 's', name: 'bench', spec });
  await store.commitSchedule('s', (await store.getSearch('s'))!.version, {}, [{ id: 't', number: 1, hyperparameters: toHyperparameters(config) }]);
  const checkpointMs: number[] = [];
  const timed = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop !== 'saveCheckpoint' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return async (...a: unknown[]) => {
        const t = performance.now();
        try { return await value.apply(target, a); } finally { checkpointMs.push(performance.now() - t); }
      };
    },
  });
  let phases: Record<string, number> | undefined;
  const log = pino({ level: 'info' }, { write: (line: string) => { phases = JSON.parse(line).phases ?? phases; } });
  const start = performance.now();
  const outcome = await new TrialRunner(timed, new TfjsTrainingEngine(backend.name, new BuiltinDatasets(datasetDir)), log).run('t');
  const wallMs = performance.now() - start;
  const epochs = (await store.listTrialsWithEpochs('s'))[0].epochs;
  console.log(JSON.stringify({
    engine: backend.name, detail: backend.detail, threads: backend.threads, precision, outcome, config,
    epochs: epochs.map((e) => ({ epoch: e.epoch, durationMs: e.durationMs, valAccuracy: e.valAccuracy })),
    checkpointMs: checkpointMs.map(Math.round), phases, wallMs: Math.round(wallMs),
  }));
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
