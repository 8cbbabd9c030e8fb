// npm run bench:trial -- [--backends native,wasm] [--limit 60000] [--epochs 1]
// npm run bench:trial -- --worker-path [--backend native] [--limit 10000] [--trials 4] [--rounds 2] [--spare on,off] [--bundle on]
//   (the whole overhead through the real worker, process start included: bench/trial-worker-path.ts;
//   --spare / --bundle: the modes compared, TRIAL_SPARE_PROCESS and TRIAL_CHILD_BUNDLE on or off)
// A whole trial, not only training steps: one trial of the notebook's best model through the
// real TrialRunner (SQLite store, dataset from disk, artifact saved), each backend in a fresh
// process. Reports what the trial spent outside fit() (data loading, model build, artifact
// serialization and storage, database writes) as a share of its wall time, and its peak memory.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { load, machine } from './machine.js';
import { quantile } from './stats.js';
import { ASIDE, runWorkerPath, STEPS, type Mode, type TrialSplit } from './trial-worker-path.js';
import { NOTEBOOK_BEST_HPS, referenceSearch } from '../test/fixtures/reference-search.js';
import { BuiltinDatasets } from '../src/datasets/builtin.js';
import { normalizeSpec } from '../src/domain/search-spec.js';
import { TrialRunner } from '../src/services/trial-runner.js';
import { migrate } from '../src/store/migrate.js';
import { openPrismaStore } from '../src/store/prisma-store.js';
import { initBackend, isBackendName } from '../src/training/backend.js';
import { TfjsTrainingEngine } from '../src/training/engine.js';

const { values: args } = parseArgs({
  options: {
    backends: { type: 'string', default: 'native,wasm' },
    limit: { type: 'string', default: '60000' },
    epochs: { type: 'string', default: '1' },
    child: { type: 'string' },
    'worker-path': { type: 'boolean', default: false },
    backend: { type: 'string', default: 'native' },
    trials: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '2' },
    spare: { type: 'string', default: 'on,off' },
    bundle: { type: 'string', default: 'on' },
  },
});
const datasetDir = process.env.DATASET_DIR ?? '/usr/share/datasets/fashion-mnist';

async function child(backendName: string): Promise<void> {
  if (!isBackendName(backendName)) throw new Error(`unknown backend '${backendName}'`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-trial-'));
  const url = `file:${path.join(dir, 'bench.db')}`;
  await migrate(url);
  const store = await openPrismaStore(url);
  try {
    const backend = await initBackend(backendName, { threads: os.availableParallelism(), openMpWait: 'spin' }); // as a trial's process
    const spec = normalizeSpec({
      ...referenceSearch(), dataset: { id: 'fashion-mnist', limit: Number(args.limit) },
      training: { epochs: Number(args.epochs), batchSize: 32, validationSplit: 0.1 }, budget: { maxTrials: 1, maxParallelTrials: 1 },
    }, () => 1);
    await store.createSearch({ id: 's', name: 'bench', spec });
    await store.commitSchedule('s', (await store.getSearch('s'))!.version, {}, [{ id: 't', number: 1, hyperparameters: NOTEBOOK_BEST_HPS }]);
    let phases: unknown;
    const log = pino({ level: 'info' }, { write: (line: string) => { phases = JSON.parse(line).phases ?? phases; } });
    const start = performance.now();
    const outcome = await new TrialRunner(store, new TfjsTrainingEngine(backend.name, new BuiltinDatasets(datasetDir)), log).run('t');
    const wallMs = performance.now() - start;
    const epochs = (await store.listTrialsWithEpochs('s'))[0].epochs;
    const epochMs = epochs.reduce((sum, e) => sum + e.durationMs, 0);
    console.log(JSON.stringify({
      backend: backend.name, detail: backend.detail, outcome, images: Number(args.limit), epochs: epochs.length,
      valAccuracy: epochs.at(-1)?.valAccuracy, wallMs: Math.round(wallMs), epochMs, phases,
      overheadPct: (100 * (wallMs - epochMs)) / wallMs, peakRssMiB: process.resourceUsage().maxRSS / 1024,
    }));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (args.child) {
  await child(args.child);
  process.exit(0);
}
const spread = (xs: number[], f: (x: number) => string) => `${f(quantile(xs, 0.5))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
if (args['worker-path']) {
  const limit = args.limit === '60000' ? 10_000 : Number(args.limit);
  const onOff = (name: 'spare' | 'bundle') => args[name].split(',').map((v) => {
    if (v !== 'on' && v !== 'off') throw new Error(`--${name} takes on, off or on,off; got '${v}'`);
    return v === 'on';
  });
  const modes: Mode[] = onOff('bundle').flatMap((bundle) => onOff('spare').map((spare) => ({ spare, bundle })));
  const label = (m: Mode) => `${m.spare ? 'on' : 'off'} | ${m.bundle ? 'bundle' : 'tsx'}`;
  console.log(`${machine()}; load before: ${load()}; ${limit} images (validation 0.1), 1 epoch, ${args.trials} trials × ${args.rounds} rounds per mode`);
  const row = (s: TrialSplit) => `| ${label(s)} | ${s.index} | ${(s.spanMs / 1000).toFixed(2)} | ${(s.epochMs / 1000).toFixed(2)} | ${s.overheadMs} | ` +
    `${((100 * s.overheadMs) / s.spanMs).toFixed(2)}% | ${Object.values(s.steps).join(' / ')} |`;
  console.log(`| spare | child | trial | span s | epochs s | overhead ms | overhead % | ${[...STEPS, ...ASIDE].join(' / ')} ms |`);
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  const splits = await runWorkerPath({ trials: Number(args.trials), rounds: Number(args.rounds), limit, backend: args.backend, modes }, (b) => b.forEach((s) => console.log(row(s))));
  const of = (m: Mode) => splits.filter((s) => s.spare === m.spare && s.bundle === m.bundle);
  console.log(`\nload after: ${load()}. Steady state: trials 2.. of each block (trial 1 follows the worker's start). Median (min–max):\n`);
  console.log('| spare | child | trials | span s | epochs s | overhead ms | overhead % | trial 1: overhead ms (%) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const mode of modes) {
    const steady = of(mode).filter((s) => s.index > 1);
    const firsts = of(mode).filter((s) => s.index === 1);
    console.log(`| ${label(mode)} | ${steady.length} | ${spread(steady.map((s) => s.spanMs / 1000), (x) => x.toFixed(2))} | ${spread(steady.map((s) => s.epochMs / 1000), (x) => x.toFixed(2))} | ` +
      `${spread(steady.map((s) => s.overheadMs), (x) => x.toFixed(0))} | ${spread(steady.map((s) => (100 * s.overheadMs) / s.spanMs), (x) => x.toFixed(2) + '%')} | ` +
      `${firsts.map((s) => `${s.overheadMs} (${((100 * s.overheadMs) / s.spanMs).toFixed(1)}%)`).join(', ')} |`);
  }
  console.log(`\n| step (steady state), median (min–max) ms | ${modes.map((m) => `spare ${m.spare ? 'on' : 'off'}, ${m.bundle ? 'bundle' : 'tsx'}`).join(' | ')} |`);
  console.log(`| --- |${modes.map(() => ' --- |').join('')}`);
  for (const step of Object.keys(splits[0].steps)) {
    const col = (m: Mode) => spread(of(m).filter((s) => s.index > 1).map((s) => s.steps[step]), (x) => x.toFixed(0));
    console.log(`| ${step} | ${modes.map(col).join(' | ')} |`);
  }
  process.exit(0);
}
console.log('| backend | images × epochs | trial wall s | in epochs s | outside fit() | load / build / fit / save ms | peak RSS MiB | val_accuracy |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const b of args.backends.split(',')) {
  const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', b, '--limit', args.limit, '--epochs', args.epochs], { encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').filter((l) => l.startsWith('{"backend')).pop()!);
  const p = r.phases as { loadMs: number; buildMs: number; fitMs: number; saveMs: number } | undefined;
  console.log(`| ${r.backend} (${r.detail}) | ${Math.round(r.images * 0.9)} × ${r.epochs} | ${(r.wallMs / 1000).toFixed(1)} | ${(r.epochMs / 1000).toFixed(1)} | ` +
    `${r.overheadPct.toFixed(2)}% | ${p ? `${p.loadMs} / ${p.buildMs} / ${p.fitMs} / ${p.saveMs}` : '–'} | ${r.peakRssMiB.toFixed(0)} | ${r.valAccuracy?.toFixed(4)} |`);
}
