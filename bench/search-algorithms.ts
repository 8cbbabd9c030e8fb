// npm run bench:search -- --replay bench/<table>.json.gz [--seeds 50] [--trials N] [--algorithms ...]: no training,
// the algorithms replayed over a learning-curve table (bench/search-replay-cli.ts).
// npm run bench:search -- [--quick] [--seeds 3] [--limit 3000] [--budget 30] [--algorithms random,bayesian,hyperband,asha,median] [--from results.json]
// (or the env vars SEEDS, LIMIT, BUDGET, ALGORITHMS, BATCH_SIZE; TRAINING_BACKEND picks the backend,
// else native, else wasm). --quick: limit 600, budget 6, 1 seed unless given: a smoke test, not evidence.
// Do the algorithms find better models with less compute? Every algorithm of issue 4 searches the
// notebook's space grown with depth and pooling (bench/search-spaces.ts) on a Fashion-MNIST subset
// under the same budget of epochs, for several seeds, through the service's real components in
// one process (bench/search-harness.ts). Prints a markdown table and the issue's two targets as
// PASS/MISS; writes everything, every trial's curve included, to bench/results/search-*.json.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { BuiltinDatasets } from '../src/datasets/builtin.js';
import { createLogger } from '../src/logger.js';
import { migrate } from '../src/store/migrate.js';
import { openPrismaStore } from '../src/store/prisma-store.js';
import { firstAvailable, initBackend, isBackendName } from '../src/training/backend.js';
import { TfjsTrainingEngine } from '../src/training/engine.js';
import { runSearch } from './search-harness.js';
import { noiseLines } from './search-noise.js';
import { compareWithRandom, markdownTable, summarizeRun, verdictLines, verdicts, type RunResult } from './search-report.js';
import { BENCH_ALGORITHMS, FULL_EPOCHS, benchRequest, isBenchAlgorithm, type BenchAlgorithm, type BenchSettings } from './search-spaces.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    seeds: { type: 'string' },
    limit: { type: 'string' },
    budget: { type: 'string' },
    algorithms: { type: 'string' },
    'batch-size': { type: 'string' },
    from: { type: 'string' },
    replay: { type: 'string' },
    trials: { type: 'string' },
    factor: { type: 'string' },
    'min-epochs': { type: 'string' },
  },
});
const here = path.dirname(fileURLToPath(import.meta.url));
if (args.replay) {
  const { replayMain } = await import('./search-replay-cli.js');
  await replayMain({ replay: args.replay, seeds: args.seeds, trials: args.trials, algorithms: args.algorithms, factor: args.factor, minEpochs: args['min-epochs'] }, path.join(here, 'results'));
  process.exit(0);
}
// --from results.json: the report of a saved run again (with what this version of the report adds), no training.
if (args.from) {
  const saved = JSON.parse(readFileSync(args.from, 'utf8')) as { settings: { algorithms: BenchAlgorithm[] }; results: RunResult[] };
  console.log(`${markdownTable(saved.results, saved.settings.algorithms)}\n\n${verdictLines(verdicts(saved.results))}\n\n${noiseLines(saved.results)}`);
  process.exit(0);
}
const quick = args.quick;
const num = (flag: string | undefined, env: string, full: number, tiny: number) => Number(flag ?? process.env[env] ?? (quick ? tiny : full));
const settings: BenchSettings = {
  limit: num(args.limit, 'LIMIT', 3000, 600),
  budget: num(args.budget, 'BUDGET', 30, 6),
  batchSize: num(args['batch-size'], 'BATCH_SIZE', 32, 32),
};
const seedCount = num(args.seeds, 'SEEDS', 3, 1);
const algorithms = (args.algorithms ?? process.env.ALGORITHMS ?? BENCH_ALGORITHMS.join(',')).split(',').filter(Boolean);
for (const a of algorithms) if (!isBenchAlgorithm(a)) throw new Error(`unknown algorithm '${a}' (one of ${BENCH_ALGORITHMS.join(', ')})`);
const chosen = BENCH_ALGORITHMS.filter((a) => algorithms.includes(a));
const seeds = Array.from({ length: seedCount }, (_, i) => i + 1);
const datasetDir = process.env.DATASET_DIR ?? '/usr/share/datasets/fashion-mnist';

const say = (line: string) => process.stderr.write(`${line}\n`);
const requested = process.env.TRAINING_BACKEND;
const threads = os.availableParallelism();
let backend;
if (requested && requested !== 'auto') {
  if (!isBackendName(requested)) throw new Error(`unknown TRAINING_BACKEND '${requested}'`);
  backend = await initBackend(requested, { threads });
} else {
  const found = await firstAvailable(['native', 'wasm'], { threads });
  for (const s of found.skipped) say(`backend ${s.name} skipped: ${s.reason}`);
  backend = found.backend;
}
const machine = { node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), loadBefore: os.loadavg() };
say(`bench:search ${quick ? '(quick) ' : ''}backend ${backend.name} (${backend.detail}, ${backend.threads ?? '–'} threads), ${machine.cpu} x${machine.cores}, ` +
  `limit ${settings.limit} (${Math.floor(settings.limit * 0.9)} train / ${settings.limit - Math.floor(settings.limit * 0.9)} val), budget ${settings.budget} epochs, ` +
  `batch ${settings.batchSize}, seeds ${seeds.join(',')}, algorithms ${chosen.join(',')}; load ${machine.loadBefore.map((l) => l.toFixed(2)).join(' ')}`);

if (backend.name === 'wasm' && settings.limit >= 2000)
  say(`note: on wasm a 2-core machine needs about 2 h for limit 3000 and 3 seeds (measured 2026-11-26); the native backend (npm run build:native) trains ~5x faster, or set LIMIT=1000 (~50 min)`);
const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-search-'));
const url = `file:${path.join(dir, 'bench.db')}`;
await migrate(url);
const store = await openPrismaStore(url);
// The service's own log lines would bury the progress; LOG_LEVEL=info shows them on stderr.
const log = createLogger(process.env.LOG_LEVEL ?? 'warn', 'bench-search', pino.destination(2));
const engine = new TfjsTrainingEngine(backend.name, new BuiltinDatasets(datasetDir));
const results: RunResult[] = [];
const start = performance.now();
try {
  // Seeds outermost: drift in the machine's load over the run spreads over every algorithm.
  for (const seed of seeds) {
    for (const algorithm of chosen) {
      const request = benchRequest(algorithm, seed, settings);
      const run = await runSearch({ store, engine, log }, request, ({ trial, outcome, epochsSoFar, wallMs }) => {
        const range = `${trial.initialEpoch + 1}-${trial.targetEpochs ?? FULL_EPOCHS}`;
        say(`  [seed ${seed} ${algorithm}] trial ${trial.number} epochs ${range}${trial.bracket != null ? ` bracket ${trial.bracket}` : ''}${trial.rung != null ? ` rung ${trial.rung}` : ''}${trial.parentTrialId ? ' (continued)' : ''}: ${trial.status}` +
          `${outcome !== trial.status ? ` (${outcome})` : ''}, val_accuracy ${trial.epochs.map((e) => e.valAccuracy.toFixed(3)).join(' ')}; ` +
          `epochs so far ${epochsSoFar}/${settings.budget}; ${(wallMs / 1000).toFixed(1)} s (${(trial.epochs.reduce((n, e) => n + e.durationMs, 0) / 1000).toFixed(1)} in epochs)`);
      });
      const r = summarizeRun(algorithm, seed, run, run.search, run.trials);
      results.push(r);
      say(`[seed ${seed} ${algorithm}] ${r.status}${r.error ? ` (${r.error})` : ''}: best ${r.best?.toFixed(4)}, ${r.epochs} epochs, ${r.trials} trials, ${(r.wallMs / 1000).toFixed(0)} s (${r.epochSeconds.toFixed(0)} s in epochs, CPU ${(r.cpuMs / 1000).toFixed(0)} s)`);
    }
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
compareWithRandom(results);
const wallS = (performance.now() - start) / 1000;
const vs = verdicts(results);
const header = `backend ${backend.name} (${backend.detail}), ${machine.cpu} x${machine.cores}, node ${machine.node}; ` +
  `Fashion-MNIST limit ${settings.limit} (${Math.floor(settings.limit * 0.9)} train / ${settings.limit - Math.floor(settings.limit * 0.9)} val), ` +
  `budget ${settings.budget} epochs per search, batch ${settings.batchSize}, seeds ${seeds.join(', ')}; wall ${(wallS / 60).toFixed(1)} min; ` +
  `load average ${machine.loadBefore.map((l) => l.toFixed(2)).join(' ')} → ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
console.log(`\n${header}\n\n${markdownTable(results, chosen)}\n\n${verdictLines(vs)}\n\n${noiseLines(results)}`);
mkdirSync(path.join(here, 'results'), { recursive: true });
const file = path.join(here, 'results', `search-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({
  settings: { ...settings, seeds, algorithms: chosen, quick, validationSplit: 0.1, epochsPerFullTrial: 3 },
  backend: { name: backend.name, detail: backend.detail, threads: backend.threads }, machine: { ...machine, loadAfter: os.loadavg() },
  wallSeconds: wallS, verdicts: vs, results,
}, null, 2));
console.log(`\nresults: ${path.relative(process.cwd(), file)}`);
