// npm run bench:search:table -- [--space full|tiny] [--limit 3000] [--validation-split 0.35] [--epochs 9]
//   [--batch-size 32] [--seed 1] [--threads N (the cores)] [--out bench/curve-table-full.json.gz] [--only 0,100,335 (time a few)]
// Builds a learning-curve table (curve-table.ts): every configuration of the space's grid trained
// once, seeded, to --epochs, recording every epoch, for the replay benchmark
// (npm run bench:search -- --replay <out>). Rows are saved as they finish to <out>.partial.json,
// and a rerun with the same settings goes on from there: a two-hour build can be interrupted.
// The default data: 1,950 training and 1,050 validation images, so one image is < 0.1 point.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BuiltinDatasets } from '../src/datasets/builtin.js';
import { comboKey } from '../src/domain/hyperparameters.js';
import { resolveTemplate } from '../src/domain/model-template.js';
import { trialSeed } from '../src/domain/trial-seed.js';
import { firstAvailable, initBackend, isBackendName } from '../src/training/backend.js';
import { TfjsTrainingEngine } from '../src/training/engine.js';
import { gridOf, TABLE_FORMAT, writeTable, type CurveTable, type TableEpoch, type TableRow } from './curve-table.js';
import { fullTableSpace, tinyTableSpace } from './table-spaces.js';

const { values: args } = parseArgs({
  options: {
    space: { type: 'string', default: 'full' },
    limit: { type: 'string', default: '3000' },
    'validation-split': { type: 'string', default: '0.35' },
    epochs: { type: 'string', default: '9' },
    'batch-size': { type: 'string', default: '32' },
    seed: { type: 'string', default: '1' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
    out: { type: 'string' },
    only: { type: 'string' },
  },
});
const say = (line: string) => process.stderr.write(`${line}\n`);
if (args.space !== 'full' && args.space !== 'tiny') throw new Error(`--space: 'full' or 'tiny', not '${args.space}'`);
const space = args.space === 'full' ? fullTableSpace() : tinyTableSpace();
const grid = gridOf(space);
const only = args.only?.split(',').map(Number);
const picked = only ? only.map((i) => grid[i]) : grid;
if (picked.some((hp) => !hp)) throw new Error(`--only: indexes 0-${grid.length - 1}`);
const out = args.out ?? path.join('bench', `curve-table-${args.space}.json.gz`);
const partial = `${out}.partial.json`;

const requested = process.env.TRAINING_BACKEND;
// Each row records its thread count: a build may go on with another (summation order, so the last digits, may differ).
const threads = Number(args.threads);
if (!Number.isInteger(threads) || threads < 1) throw new Error(`--threads: a positive integer, not '${args.threads}'`);
const backend = requested && requested !== 'auto'
  ? (isBackendName(requested) ? await initBackend(requested, { threads }) : (() => { throw new Error(`unknown TRAINING_BACKEND '${requested}'`); })())
  : (await firstAvailable(['native', 'wasm'], { threads })).backend;
const engine = new TfjsTrainingEngine(backend.name, new BuiltinDatasets(process.env.DATASET_DIR ?? '/usr/share/datasets/fashion-mnist'));

const command = `npm run bench:search:table -- ${process.argv.slice(2).join(' ')}`.trim();
const table: CurveTable = {
  format: TABLE_FORMAT, command,
  about: { backend: backend.name, detail: backend.detail, threads: backend.threads, cpu: os.cpus()[0]?.model, cores: os.availableParallelism(), node: process.version, startedAt: new Date().toISOString() },
  dataset: { id: 'fashion-mnist', limit: Number(args.limit) },
  training: { epochs: Number(args.epochs), batchSize: Number(args['batch-size']), validationSplit: Number(args['validation-split']) },
  seed: Number(args.seed), space, rows: [],
};
// What a partial file must share with this run to be continued.
const settingsKey = (t: CurveTable) => JSON.stringify([t.dataset, t.training, t.seed, t.space]);
if (!only && existsSync(partial)) {
  const saved = JSON.parse(readFileSync(partial, 'utf8')) as CurveTable;
  if (settingsKey(saved) !== settingsKey(table)) throw new Error(`${partial} was built with other settings: move it away to start over`);
  // Rows from before rows recorded it were built with the saved run's threads.
  table.rows = saved.rows.map((r) => ({ ...r, threads: r.threads ?? (saved.about.threads as number) }));
  say(`continuing ${partial}: ${table.rows.length} rows done`);
}
const done = new Set(table.rows.map((r) => comboKey(r.hyperparameters)));
say(`bench:search:table: ${picked.length} of ${grid.length} configurations x ${table.training.epochs} epochs, backend ${backend.name} (${backend.detail}), ` +
  `limit ${table.dataset.limit}, validationSplit ${table.training.validationSplit}; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const round = (n: number, digits: number) => Number(n.toFixed(digits));
const start = performance.now();
let trained = 0;
// CPU time as well as wall: on a loaded machine it is what projects a build onto an idle one.
let cpuSeconds = 0;
for (const hyperparameters of picked) {
  if (done.has(comboKey(hyperparameters))) continue;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const result = await engine.train({
    model: resolveTemplate(space.model, hyperparameters), dataset: table.dataset, training: table.training,
    seed: trialSeed(table.seed, hyperparameters), objective: { metric: 'val_accuracy', direction: 'max' },
    onEpochEnd: async () => 'continue',
  });
  const epochs = result.epochs.map((m): TableEpoch => [round(m.loss, 5), round(m.accuracy, 5), round(m.valLoss, 5), round(m.valAccuracy, 5), Math.round(m.durationMs)]);
  const row: TableRow = { hyperparameters, epochs, threads: backend.threads ?? undefined };
  table.rows.push(row);
  trained++;
  const cpu = process.cpuUsage(cpu0);
  cpuSeconds += (cpu.user + cpu.system) / 1e6;
  const s = (performance.now() - start) / 1000;
  const left = picked.length - table.rows.length;
  say(`  ${table.rows.length}/${picked.length} ${comboKey(hyperparameters)}: val_accuracy ${epochs.map((e) => e[3].toFixed(3)).join(' ')}; ` +
    `${((performance.now() - t0) / 1000).toFixed(1)} s (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s); ${(s / 60).toFixed(1)} min so far, about ${((s / trained) * left / 60).toFixed(0)} min left`);
  if (!only) writeFileSync(partial, JSON.stringify(table));
}
if (only) {
  say(`timed ${trained} configurations: ${((performance.now() - start) / 1000 / trained).toFixed(1)} s each on average, CPU ${(cpuSeconds / trained).toFixed(1)} s (not written: --only)`);
} else {
  table.about.finishedAt = new Date().toISOString();
  const tmp = path.join(path.dirname(out), `.tmp-${path.basename(out)}`); // same suffix: gzipped alike
  writeTable(tmp, table);
  renameSync(tmp, out);
  rmSync(partial, { force: true });
  say(`wrote ${out}`);
}
