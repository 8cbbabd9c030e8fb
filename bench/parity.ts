// npm run bench:parity -- [--configs 80k5-32k3-112,64k3-48k3-48] [--seeds 3] [--first-seed 1] [--epochs 3]
//   [--limit 60000] [--backend native] [--precision fp32|bf16] [--threads N] [--allocator glibc-tunables] [--out FILE.jsonl]
// Accuracy parity with PyTorch (issue 13): each configuration trained with --seeds seeds from
// --first-seed on (more seeds for an earlier run: run again from the next one, or two at once) on both
// sides in one run: through the service's real TrialRunner (the search seed) and in PyTorch with
// the same layers, Keras' initialisation, Adam (eps 1e-7), batch 32 and the same split (first
// --limit images, the last 10 % validating), torch.manual_seed(seed). Which side goes first
// alternates. Reported per configuration and epoch: each side's mean val_accuracy, the difference
// in points with its standard error, and whether it is within the target's 0.3 points.
import { appendFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { configLabel, parseConfigList } from './epoch-configs.js';
import { intArg, precisionArg, runLabel, runService, runTorch, type RunSettings } from './epoch-runs.js';
import { busyWarning, load, machine } from './machine.js';
import { parityByEpoch } from './parity-summary.js';
import { allocatorArg, findTorchPython, TORCH_MISSING } from './pytorch-env.js';

const { values: args } = parseArgs({
  options: {
    configs: { type: 'string', default: '80k5-32k3-112,64k3-48k3-48' },
    seeds: { type: 'string', default: '3' },
    'first-seed': { type: 'string', default: '1' },
    epochs: { type: 'string', default: '3' },
    limit: { type: 'string', default: '60000' },
    backend: { type: 'string', default: 'native' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
    allocator: { type: 'string', default: 'glibc-tunables' },
    // The service's training.precision; PyTorch stays float32 (bf16 against fp32: issue 17's accuracy check).
    precision: { type: 'string', default: 'fp32' },
    out: { type: 'string' },
  },
});
const seeds = intArg('seeds', args.seeds, 1);
const firstSeed = intArg('first-seed', args['first-seed'], 1);
const configs = parseConfigList(args.configs);
const allocator = allocatorArg(args.allocator);
const py = findTorchPython();
// Without the baseline there is nothing to compare: fail rather than print half a table.
if (!py) throw new Error(TORCH_MISSING);
const base = { precision: precisionArg(args.precision), backend: args.backend, threads: intArg('threads', args.threads, 1), limit: intArg('limit', args.limit, 20), epochs: intArg('epochs', args.epochs, 1) };

console.log(`${machine()}; load before: ${load()}`);
const busy = busyWarning();
if (busy) console.log(`${busy} (accuracy does not depend on load; the times printed do)`);
const train = Math.floor(base.limit * 0.9);
console.log(`${configs.length} configurations × seeds ${firstSeed}..${firstSeed + seeds - 1}; ${train} training + ${base.limit - train} validation images, batch 32, ${base.epochs} epochs; ` +
  `service: ${base.backend} backend, ${base.precision}, ${base.threads} threads; PyTorch: allocator ${allocator}`);

const runs = new Map(configs.map((c) => [c, { service: [] as number[][], pytorch: [] as number[][] }]));
let torchInfo = '';
let serviceInfo = '';
for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
  for (const [i, c] of configs.entries()) {
    const run: RunSettings = { ...base, seed };
    const torchFirst = (seed + i) % 2 === 1;
    const t0 = torchFirst ? runTorch(py, c, run, allocator, 'default') : undefined;
    const s = runService(c, run);
    const t = t0 ?? runTorch(py, c, run, allocator, 'default');
    torchInfo = `PyTorch ${t.version}`;
    serviceInfo = s.detail;
    const r = runs.get(c)!;
    r.service.push(s.epochs.map((e) => e.valAccuracy));
    r.pytorch.push(t.epochs.map((e) => e.valAccuracy));
    const line = {
      seed, config: runLabel(c), torchFirst, service: s.epochs.map((e) => e.valAccuracy), pytorch: t.epochs.map((e) => e.valAccuracy),
      serviceEpochS: s.epochs.map((e) => +(e.durationMs / 1000).toFixed(1)), pytorchEpochS: t.epochs.map((e) => +e.seconds.toFixed(1)),
    };
    console.log(JSON.stringify(line));
    if (args.out) appendFileSync(args.out, `${JSON.stringify({ ...line, machine: machine(), backend: s.detail, pytorchVersion: t.version })}\n`);
  }
}

console.log(`\nload after: ${load()}. Service: ${base.backend} (${serviceInfo}); ${torchInfo}. Mean val_accuracy over ${seeds} seeds a side; ` +
  'difference = service − PyTorch in points, ± its standard error; target: within 0.3 points at every epoch.\n');
console.log('| configuration (conv 1, conv 2, dense) | epoch | service | PyTorch | difference (points) | within 0.3 |');
console.log('| --- | --- | --- | --- | --- | --- |');
let missed = 0;
for (const [c, r] of runs) {
  for (const e of parityByEpoch(r.service, r.pytorch)) {
    if (!e.within) missed++;
    const se = Number.isNaN(e.sePoints) ? '' : ` ± ${e.sePoints.toFixed(2)}`;
    console.log(`| ${configLabel(c)} | ${e.epoch} | ${e.service.toFixed(4)} | ${e.pytorch.toFixed(4)} | ${e.diffPoints >= 0 ? '+' : ''}${e.diffPoints.toFixed(2)}${se} | ${e.within ? 'yes' : 'no'} |`);
  }
}
console.log(`\n${missed ? `${missed} epoch(s) outside 0.3 points` : 'every epoch within 0.3 points'}`);
