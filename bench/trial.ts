// npm run bench:trial -- [--backends native,wasm] [--limit 60000] [--epochs 1]
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
    const backend = await initBackend(backendName, { threads: os.availableParallelism() });
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
console.log('| backend | images × epochs | trial wall s | in epochs s | outside fit() | load / build / fit / save ms | peak RSS MiB | val_accuracy |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const b of args.backends.split(',')) {
  const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', b, '--limit', args.limit, '--epochs', args.epochs], { encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').filter((l) => l.startsWith('{"backend')).pop()!);
  const p = r.phases as { loadMs: number; buildMs: number; fitMs: number; saveMs: number } | undefined;
  console.log(`| ${r.backend} (${r.detail}) | ${Math.round(r.images * 0.9)} × ${r.epochs} | ${(r.wallMs / 1000).toFixed(1)} | ${(r.epochMs / 1000).toFixed(1)} | ` +
    `${r.overheadPct.toFixed(2)}% | ${p ? `${p.loadMs} / ${p.buildMs} / ${p.fitMs} / ${p.saveMs}` : '–'} | ${r.peakRssMiB.toFixed(0)} | ${r.valAccuracy?.toFixed(4)} |`);
}
