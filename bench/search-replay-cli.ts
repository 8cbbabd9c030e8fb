// npm run bench:search -- --replay bench/<table>.json.gz [--seeds 50] [--trials N] [--algorithms random,grid,...] [--factor 3] [--min-epochs 1]
// Every algorithm searches a learning-curve table (bench/search-table.ts builds one) through the
// service's real components, `seeds` seeds each, and the report compares them with random search:
// markdown on stdout, trajectories (JSON) and the anytime plot (PNG) under bench/results/.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createLogger } from '../src/logger.js';
import { migrate } from '../src/store/migrate.js';
import { openPrismaStore } from '../src/store/prisma-store.js';
import { readTable } from './curve-table.js';
import { intArg } from './epoch-runs.js';
import { anytimeSvg, writePng } from './replay-plot.js';
import { anytimeBand, reportMarkdown, summarize } from './replay-report.js';
import { REPLAY_ALGORITHMS, isReplayAlgorithm } from './replay-requests.js';
import { replaySearch, type Trajectory } from './search-replay.js';
import { TableTrainingEngine } from './table-engine.js';

/** `factor`: hyperband's and asha's reduction factor; `minEpochs`: asha's first rung. */
export interface ReplayArgs { replay: string; seeds?: string; trials?: string; algorithms?: string; factor?: string; minEpochs?: string }

export async function replayMain(args: ReplayArgs, resultsDir: string): Promise<void> {
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const table = readTable(args.replay);
  const engine = new TableTrainingEngine(table);
  const seeds = Array.from({ length: Number(args.seeds ?? 50) }, (_, i) => i + 1);
  // A tenth of the table per random search by default: enough that the best is good, few enough that it is not the table's best.
  const trials = Number(args.trials ?? Math.max(5, Math.round(engine.size / 10)));
  const chosen = (args.algorithms ?? REPLAY_ALGORITHMS.join(',')).split(',').filter(Boolean);
  for (const a of chosen) if (!isReplayAlgorithm(a)) throw new Error(`unknown algorithm '${a}' (one of ${REPLAY_ALGORITHMS.join(', ')})`);
  const algorithms = REPLAY_ALGORITHMS.filter((a) => chosen.includes(a));
  const settings = { factor: args.factor ? intArg('factor', args.factor, 2) : 3, minEpochs: args.minEpochs ? intArg('min-epochs', args.minEpochs, 1) : 1 };
  say(`replay: ${engine.size} configurations x ${table.training.epochs} epochs (${args.replay}), ${trials} trials / ${trials * table.training.epochs} epochs per search, ` +
    `seeds 1-${seeds.length}, algorithms ${algorithms.join(',')} (factor ${settings.factor}, asha from epoch ${settings.minEpochs}); load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  // tmpfs when there is one: the store's writes then cost no disk syncs.
  const dir = mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'bench-replay-'));
  const url = `file:${path.join(dir, 'replay.db')}`;
  await migrate(url);
  const store = await openPrismaStore(url);
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn', 'bench-replay', pino.destination(2));
  const runs: Trajectory[] = [];
  const start = performance.now();
  try {
    for (const seed of seeds) {
      for (const algorithm of algorithms) runs.push(await replaySearch({ store, engine, log }, table, algorithm, seed, trials, settings));
      const done = runs.filter((r) => r.seed === seed);
      say(`  seed ${seed}: ${done.map((r) => `${r.algorithm} ${r.best.at(-1)?.toFixed(4)}/${r.best.length}ep`).join(', ')}; ${((performance.now() - start) / 1000).toFixed(0)} s`);
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const wallS = (performance.now() - start) / 1000;
  const report = summarize(runs, algorithms);
  const header = `${engine.size} configurations x ${table.training.epochs} epochs (${path.basename(args.replay)}: ${table.command}); ` +
    `${trials} trials (${trials * table.training.epochs} epochs) per search, ${seeds.length} seeds, factor ${settings.factor}, asha from epoch ${settings.minEpochs}; ${runs.length} searches in ${(wallS / 60).toFixed(1)} min wall, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
  console.log(`\n${header}\n\n${reportMarkdown(report)}`);
  mkdirSync(resultsDir, { recursive: true });
  const stem = path.join(resultsDir, `replay-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const series = algorithms.map((a) => ({ name: a, band: anytimeBand(runs.filter((r) => r.algorithm === a)) }));
  await writePng(anytimeSvg(series, report.target, `best so far vs epochs: median and quartiles of ${seeds.length} seeds`), `${stem}.png`);
  writeFileSync(`${stem}.json`, JSON.stringify({ table: args.replay, command: table.command, trials, seeds: seeds.length, settings, wallSeconds: wallS, report, runs }));
  console.log(`\nresults: ${path.relative(process.cwd(), stem)}.{json,png}`);
}

